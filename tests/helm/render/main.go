// Command helm-render renders a Helm chart the way `helm template` does, for the chart tests.
//
// There is no helm binary in the package registries this project can use, so this program
// reproduces the parts of Helm 3's engine (helm.sh/helm/v3/pkg/engine) that the ingestd chart
// relies on, with the same libraries Helm uses where Debian ships them:
//
//   - Go's text/template with sprig v3's TxtFuncMap, minus env and expandenv (Helm removes them);
//   - Helm's own functions: include, tpl, required, toYaml, fromYaml, fromYamlArray, toJson,
//     fromJson, fromJsonArray, lookup (empty, as in `helm template`);
//   - missingkey=zero and "<no value>" replaced by "", as Helm does;
//   - values read like sigs.k8s.io/yaml (YAML 1.1 via yaml.v2, then JSON: every number is a
//     float64, so `{{ .Values.bigNumber }}` prints 2.68435456e+08 here exactly as in Helm);
//   - toYaml as sigs.k8s.io/yaml.Marshal: JSON first, then yaml.v2 with sorted keys;
//   - user values coalesced over the chart's (maps merge deeply, null deletes a key);
//   - .Release, .Chart (Chart.yaml metadata), .Capabilities (KubeVersion, APIVersions.Has),
//     .Template (Name, BasePath), .Files (Get, GetBytes, Glob, Lines, AsConfig);
//   - Chart.yaml kubeVersion checked against the requested Kubernetes version;
//   - every template under templates/ parsed into one set, files starting with "_" not output,
//     NOTES.txt rendered apart, output split into documents on "---" and empty ones dropped.
//
// It does not implement subcharts, library charts, hooks, .helmignore, --set parsing or
// JSON-schema validation (the node validator checks the merged values against
// values.schema.json instead).
//
// Usage:
//
//	helm-render --chart DIR [-f values.yaml]... [--name N] [--namespace NS] [--kube-version V]
//	            [--api-versions a/v1,b/v1] [--out-yaml FILE] [--out-json FILE]
//	            [--out-values FILE] [--out-notes FILE] [--values-only]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig"
	yaml "gopkg.in/yaml.v2"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// ChartMetadata mirrors the fields of Helm's chart.Metadata that templates read as .Chart.X.
type ChartMetadata struct {
	APIVersion  string            `json:"apiVersion"`
	Name        string            `json:"name"`
	Version     string            `json:"version"`
	AppVersion  string            `json:"appVersion"`
	Description string            `json:"description"`
	Type        string            `json:"type"`
	KubeVersion string            `json:"kubeVersion"`
	Home        string            `json:"home"`
	Keywords    []string          `json:"keywords"`
	Annotations map[string]string `json:"annotations"`
}

type KubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (k KubeVersion) String() string     { return k.Version }
func (k KubeVersion) GitVersion() string { return k.Version }

type VersionSet []string

func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
}

// Files mirrors Helm's engine.files: the chart's non-template files by relative path.
type Files map[string][]byte

func (f Files) GetBytes(name string) []byte { return f[name] }
func (f Files) Get(name string) string      { return string(f[name]) }
func (f Files) Glob(pattern string) Files {
	out := Files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}
func (f Files) Lines(name string) []string {
	s := string(f[name])
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}
func (f Files) AsConfig() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	return toYAML(m)
}

// readYAMLAsJSON reads YAML the way sigs.k8s.io/yaml.Unmarshal does: yaml.v2 (YAML 1.1), then JSON.
func readYAMLAsJSON(data []byte, out interface{}) error {
	var raw interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return err
	}
	j, err := json.Marshal(jsonable(raw))
	if err != nil {
		return err
	}
	return json.Unmarshal(j, out)
}

// jsonable turns yaml.v2's map[interface{}]interface{} into map[string]interface{}.
func jsonable(v interface{}) interface{} {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, val := range t {
			m[fmt.Sprintf("%v", k)] = jsonable(val)
		}
		return m
	case []interface{}:
		for i := range t {
			t[i] = jsonable(t[i])
		}
		return t
	default:
		return v
	}
}

// toYAML is Helm's toYaml: sigs.k8s.io/yaml.Marshal (JSON, then yaml.v2), trailing newline trimmed.
func toYAML(v interface{}) string {
	j, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var obj interface{}
	if err := yaml.Unmarshal(j, &obj); err != nil {
		return ""
	}
	data, err := yaml.Marshal(obj)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := readYAMLAsJSON([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	a := []interface{}{}
	if err := readYAMLAsJSON([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

// coalesce merges src over dst as Helm's chartutil.CoalesceTables does for user values:
// nested maps merge, a null in src deletes the key, anything else replaces.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sm, sok := v.(map[string]interface{})
		dm, dok := dst[k].(map[string]interface{})
		if sok && dok {
			dst[k] = coalesce(dm, sm)
		} else {
			dst[k] = v
		}
	}
	return dst
}

type renderer struct {
	chartDir string
	chart    ChartMetadata
	values   map[string]interface{}
	release  map[string]interface{}
	caps     Capabilities
	files    Files
}

func (r *renderer) templateData(name string) map[string]interface{} {
	return map[string]interface{}{
		"Values":       r.values,
		"Release":      r.release,
		"Chart":        r.chart,
		"Capabilities": r.caps,
		"Files":        r.files,
		"Template":     map[string]interface{}{"Name": name, "BasePath": r.chart.Name + "/templates"},
	}
}

const recursionMax = 1000

func (r *renderer) funcMap(t **template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	included := map[string]int{}
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["fromYamlArray"] = fromYAMLArray
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["fromJsonArray"] = fromJSONArray
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	f["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(warn)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, errors.New(warn)
		}
		return val, nil
	}
	f["include"] = func(name string, data interface{}) (string, error) {
		if included[name] > recursionMax {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		included[name]++
		defer func() { included[name]-- }()
		var buf strings.Builder
		err := (*t).ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	f["tpl"] = func(text string, vals interface{}) (string, error) {
		clone, err := (*t).Clone()
		if err != nil {
			return "", err
		}
		clone.Option("missingkey=zero")
		tt, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf strings.Builder
		if err := tt.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	return f
}

type rendered struct {
	Source string                 `json:"source"`
	Doc    map[string]interface{} `json:"doc"`
	Text   string                 `json:"-"`
}

var docSep = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

func (r *renderer) render() ([]rendered, string, error) {
	tdir := filepath.Join(r.chartDir, "templates")
	var names []string
	err := filepath.Walk(tdir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(r.chartDir, p)
		names = append(names, path.Join(r.chart.Name, filepath.ToSlash(rel)))
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	sort.Strings(names)

	var t *template.Template
	t = template.New("gotpl").Option("missingkey=zero")
	t.Funcs(r.funcMap(&t))
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(r.chartDir, strings.TrimPrefix(name, r.chart.Name+"/")))
		if err != nil {
			return nil, "", err
		}
		if _, err := t.New(name).Parse(string(data)); err != nil {
			return nil, "", fmt.Errorf("parse error in %s: %w", name, err)
		}
	}

	var out []rendered
	notes := ""
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") {
			continue
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, r.templateData(name)); err != nil {
			return nil, "", fmt.Errorf("render error in %s: %w", name, err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if base == "NOTES.txt" {
			notes = text
			continue
		}
		for _, part := range docSep.Split(text, -1) {
			if strings.TrimSpace(part) == "" {
				continue
			}
			var doc map[string]interface{}
			if err := readYAMLAsJSON([]byte(part), &doc); err != nil {
				return nil, "", fmt.Errorf("%s: rendered YAML does not parse: %w\n%s", name, err, part)
			}
			if doc == nil {
				continue // only comments
			}
			out = append(out, rendered{Source: name, Doc: doc, Text: part})
		}
	}
	return out, notes, nil
}

func loadYAMLFile(p string) (map[string]interface{}, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := readYAMLAsJSON(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if m == nil {
		m = map[string]interface{}{}
	}
	return m, nil
}

func writeJSON(p string, v interface{}) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p, append(data, '\n'), 0o644)
}

func run() error {
	var valueFiles stringList
	chartDir := flag.String("chart", "", "chart directory")
	name := flag.String("name", "ingestd", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	kubeVersion := flag.String("kube-version", "v1.29.0", "Kubernetes version for .Capabilities")
	apiVersions := flag.String("api-versions", "", "extra API versions for .Capabilities.APIVersions, comma separated")
	outYAML := flag.String("out-yaml", "", "write the manifests as `helm template` prints them")
	outJSON := flag.String("out-json", "", "write the manifests as a JSON array of {source, doc}")
	outValues := flag.String("out-values", "", "write the coalesced values as JSON")
	outNotes := flag.String("out-notes", "", "write the rendered NOTES.txt")
	valuesOnly := flag.Bool("values-only", false, "only coalesce values (with --out-values); do not render")
	flag.Var(&valueFiles, "f", "values file (repeatable)")
	flag.Parse()
	if *chartDir == "" {
		return errors.New("--chart is required")
	}

	r := &renderer{chartDir: *chartDir}
	meta, err := os.ReadFile(filepath.Join(*chartDir, "Chart.yaml"))
	if err != nil {
		return err
	}
	if err := readYAMLAsJSON(meta, &r.chart); err != nil {
		return fmt.Errorf("Chart.yaml: %w", err)
	}
	if r.chart.APIVersion != "v2" || r.chart.Name == "" || r.chart.Version == "" {
		return errors.New("Chart.yaml: apiVersion v2, name and version are required")
	}

	r.values, err = loadYAMLFile(filepath.Join(*chartDir, "values.yaml"))
	if err != nil {
		return err
	}
	for _, f := range valueFiles {
		user, err := loadYAMLFile(f)
		if err != nil {
			return err
		}
		r.values = coalesce(r.values, user)
	}
	if *outValues != "" {
		if err := writeJSON(*outValues, r.values); err != nil {
			return err
		}
	}
	if *valuesOnly {
		return nil
	}

	kv := strings.TrimPrefix(*kubeVersion, "v")
	parts := strings.SplitN(kv, ".", 3)
	if len(parts) < 2 {
		return fmt.Errorf("--kube-version %q: want MAJOR.MINOR[.PATCH]", *kubeVersion)
	}
	r.caps.KubeVersion = KubeVersion{Version: "v" + kv, Major: parts[0], Minor: parts[1]}
	if r.chart.KubeVersion != "" {
		semverCompare := sprig.TxtFuncMap()["semverCompare"].(func(string, string) (bool, error))
		ok, err := semverCompare(r.chart.KubeVersion, kv)
		if err != nil {
			return fmt.Errorf("Chart.yaml kubeVersion: %w", err)
		}
		if !ok {
			return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes v%s", r.chart.KubeVersion, kv)
		}
	}
	// The built-in API versions of a cluster of that version, as far as the chart asks.
	r.caps.APIVersions = VersionSet{"v1", "apps/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1"}
	if *apiVersions != "" {
		r.caps.APIVersions = append(r.caps.APIVersions, strings.Split(*apiVersions, ",")...)
	}

	r.release = map[string]interface{}{
		"Name": *name, "Namespace": *namespace, "Service": "Helm",
		"IsInstall": true, "IsUpgrade": false, "Revision": 1,
	}

	r.files = Files{}
	err = filepath.Walk(*chartDir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(*chartDir, p)
		rel = filepath.ToSlash(rel)
		if info.IsDir() {
			if rel == "templates" || rel == "charts" {
				return filepath.SkipDir
			}
			return nil
		}
		switch rel {
		case "Chart.yaml", "values.yaml", "values.schema.json", "Chart.lock", "requirements.yaml":
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		r.files[rel] = data
		return nil
	})
	if err != nil {
		return err
	}

	docs, notes, err := r.render()
	if err != nil {
		return err
	}
	if *outNotes != "" {
		if err := os.WriteFile(*outNotes, []byte(notes), 0o644); err != nil {
			return err
		}
	}
	if *outJSON != "" {
		if err := writeJSON(*outJSON, docs); err != nil {
			return err
		}
	}
	var sb strings.Builder
	for _, d := range docs {
		fmt.Fprintf(&sb, "---\n# Source: %s\n%s\n", d.Source, strings.TrimSpace(d.Text))
	}
	if *outYAML != "" {
		return os.WriteFile(*outYAML, []byte(sb.String()), 0o644)
	}
	if *outJSON == "" && *outValues == "" {
		fmt.Print(sb.String())
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "helm-render: Error:", err)
		os.Exit(1)
	}
}
