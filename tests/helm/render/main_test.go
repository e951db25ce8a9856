package main

// Pins the Helm behaviours the renderer copies, so a chart that passes here renders the same in Helm.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func renderOne(t *testing.T, values, tpl string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "templates"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte("apiVersion: v2\nname: c\nversion: 1.0.0\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "values.yaml"), []byte(values), 0o644))
	must(os.WriteFile(filepath.Join(dir, "templates", "_h.tpl"), []byte(`{{ define "h" }}[{{ . }}]{{ end }}`), 0o644))
	must(os.WriteFile(filepath.Join(dir, "templates", "t.yaml"), []byte(tpl), 0o644))
	r := &renderer{chartDir: dir, chart: ChartMetadata{Name: "c", Version: "1.0.0"}, files: Files{"files/a.txt": []byte("A")}}
	var err error
	r.values, err = loadYAMLFile(filepath.Join(dir, "values.yaml"))
	if err != nil {
		return "", err
	}
	docs, _, err := r.render()
	if err != nil {
		return "", err
	}
	var parts []string
	for _, d := range docs {
		parts = append(parts, strings.TrimSpace(d.Text))
	}
	return strings.Join(parts, "\n---\n"), nil
}

func expect(t *testing.T, values, tpl, want string) {
	t.Helper()
	got, err := renderOne(t, values, tpl)
	if err != nil {
		t.Fatalf("render %q: %v", tpl, err)
	}
	if got != want {
		t.Errorf("render %q:\n got %q\nwant %q", tpl, got, want)
	}
}

func TestNumbersAreFloat64AsInHelm(t *testing.T) {
	// Helm reads values through JSON: a large integer printed directly comes out in exponent form.
	expect(t, "num: 268435456\n", "a: {{ .Values.num }}", "a: 2.68435456e+08")
	expect(t, "num: 268435456\n", "a: {{ int64 .Values.num }}", "a: 268435456")
	expect(t, "num: 268435456\n", "a: {{ toYaml .Values.num }}", "a: 268435456")
}

func TestToYamlSortsKeysAndQuotesAmbiguousStrings(t *testing.T) {
	expect(t, "m: {b: 1, a: \"on\", c: \"1\"}\n", "m:\n  {{- toYaml .Values.m | nindent 2 }}",
		"m:\n  a: \"on\"\n  b: 1\n  c: \"1\"")
}

func TestYaml11BooleansAsInHelm(t *testing.T) {
	// sigs.k8s.io/yaml uses yaml.v2: an unquoted `on` is a boolean.
	expect(t, "v: on\n", "a: {{ .Values.v }}", "a: true")
	// Even keys: `n` is false, as in Helm's values.
	expect(t, "n: 1\n", "a: {{ index .Values \"false\" }}", "a: 1")
}

func TestMissingValuesRenderEmpty(t *testing.T) {
	expect(t, "a: {}\n", "x: \"{{ .Values.a.missing }}\"", "x: \"\"")
}

func TestIncludeTplRequiredAndFiles(t *testing.T) {
	expect(t, "s: \"{{ .Values.num }}\"\nnum: 3\n", "a: \"{{ include \"h\" 1 }} {{ tpl .Values.s . }} {{ .Files.Get \"files/a.txt\" }}\"",
		"a: \"[1] 3 A\"")
	if _, err := renderOne(t, "x: \"\"\n", "a: {{ required \"x is required\" .Values.x }}"); err == nil ||
		!strings.Contains(err.Error(), "x is required") {
		t.Errorf("required on an empty string: got %v", err)
	}
}

func TestEnvIsNotAvailable(t *testing.T) {
	if _, err := renderOne(t, "", "a: {{ env \"HOME\" }}"); err == nil {
		t.Error("env must not be a function, as in Helm")
	}
}

func TestCoalesceMergesMapsAndNullDeletes(t *testing.T) {
	dst := map[string]interface{}{"a": map[string]interface{}{"x": 1.0, "y": 2.0}, "b": 1.0}
	src := map[string]interface{}{"a": map[string]interface{}{"y": 3.0}, "b": nil}
	got := coalesce(dst, src)
	a := got["a"].(map[string]interface{})
	if a["x"] != 1.0 || a["y"] != 3.0 {
		t.Errorf("nested merge: %v", a)
	}
	if _, ok := got["b"]; ok {
		t.Error("null must delete the key")
	}
}

func TestDocumentsSplitAndEmptyOnesDropped(t *testing.T) {
	expect(t, "", "a: 1\n---\n# only a comment\n---\nb: 2\n", "a: 1\n---\nb: 2")
}
