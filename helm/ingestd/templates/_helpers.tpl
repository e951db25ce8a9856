{{/* Names, labels and the pieces several templates share. */}}

{{- define "ingestd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* RELEASE-ingestd, or RELEASE when it already contains the chart name; 63 characters at most. */}}
{{- define "ingestd.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ingestd.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ingestd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ingestd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ingestd.labels" -}}
helm.sh/chart: {{ include "ingestd.chart" . }}
{{ include "ingestd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ingestd
{{- end -}}

{{- define "ingestd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ingestd.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "ingestd.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "ingestd.kafkaSecretName" -}}
{{- default (printf "%s-kafka" (include "ingestd.fullname" .)) .Values.kafka.auth.existingSecret -}}
{{- end -}}

{{- define "ingestd.taxonomyConfigMapName" -}}
{{- default (printf "%s-taxonomy" (include "ingestd.fullname" .)) .Values.taxonomy.existingConfigMap -}}
{{- end -}}

{{- define "ingestd.hasTaxonomyConfigMap" -}}
{{- if or .Values.taxonomy.existingConfigMap .Values.taxonomy.files -}}true{{- end -}}
{{- end -}}

{{- define "ingestd.adminPort" -}}
{{- $admin := .Values.config.admin | default dict -}}
{{- int64 (default 9464 $admin.port) -}}
{{- end -}}

{{/* Autoscaling never goes past the input topic's partition count: extra consumers would idle. */}}
{{- define "ingestd.maxReplicas" -}}
{{- min .max .root.Values.kafka.inputPartitions -}}
{{- end -}}

{{/*
Seconds between SIGTERM and SIGKILL: longer than the shutdown grace (after SIGTERM the daemon drains for
70% of it, commits, leaves the group and exits within it; drain_timeout_ms bounds revokes only), so it
finishes in-flight records and commits their offsets before Kubernetes kills it.
*/}}
{{- define "ingestd.terminationGracePeriodSeconds" -}}
{{- $rt := .Values.config.runtime | default dict -}}
{{- $needed := div (add (int64 (default 30000 $rt.shutdown_grace_ms)) 999) 1000 -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds -}}
{{- add $needed 10 -}}
{{- else -}}
{{- $given := int64 .Values.terminationGracePeriodSeconds -}}
{{- if le $given $needed -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be longer than config.runtime.shutdown_grace_ms (%d s)" $given $needed) -}}
{{- end -}}
{{- $given -}}
{{- end -}}
{{- end -}}

{{/*
The daemon's config file: .Values.config plus what the chart owns (brokers from the environment,
admin address, taxonomy directory, Kafka security properties). Secrets stay in the environment.
*/}}
{{- define "ingestd.config" -}}
{{- $cfg := deepCopy (.Values.config | default dict) -}}
{{- $kafka := get $cfg "kafka" | default dict -}}
{{- $_ := set $cfg "kafka" $kafka -}}
{{- $_ := set $kafka "brokers" "${INGESTD_KAFKA_BROKERS}" -}}
{{- $security := dict -}}
{{- if .Values.kafka.auth.enabled -}}
{{- $_ := set $security "security.protocol" .Values.kafka.auth.securityProtocol -}}
{{- $_ := set $security "sasl.mechanisms" .Values.kafka.auth.mechanism -}}
{{- $_ := set $security "sasl.username" "${KAFKA_USERNAME}" -}}
{{- $_ := set $security "sasl.password" "${KAFKA_PASSWORD}" -}}
{{- else if .Values.kafka.tls.enabled -}}
{{- $_ := set $security "security.protocol" "SSL" -}}
{{- end -}}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret -}}
{{- $_ := set $security "ssl.ca.location" (printf "/etc/ingestd/kafka-ca/%s" .Values.kafka.tls.caKey) -}}
{{- end -}}
{{- $consumerExtra := deepCopy $security -}}
{{- if .Values.kafka.staticMembership.enabled -}}
{{- $_ := set $consumerExtra "group.instance.id" "${POD_NAME}" -}}
{{- $_ := set $consumerExtra "session.timeout.ms" (toString (int64 .Values.kafka.staticMembership.sessionTimeoutMs)) -}}
{{- end -}}
{{- $_ := set $kafka "consumer" (merge (get $kafka "consumer" | default dict) $consumerExtra) -}}
{{- $_ := set $kafka "producer" (merge (get $kafka "producer" | default dict) $security) -}}
{{- $admin := get $cfg "admin" | default dict -}}
{{- $_ := set $admin "address" "0.0.0.0" -}}
{{- $_ := set $cfg "admin" $admin -}}
{{- $tagging := get $cfg "tagging" | default dict -}}
{{- $_ := set $tagging "taxonomy_dir" "/etc/ingestd/taxonomy" -}}
{{- $_ := set $cfg "tagging" $tagging -}}
{{- toYaml $cfg -}}
{{- end -}}
