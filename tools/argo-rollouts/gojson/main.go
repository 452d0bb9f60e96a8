// Command gojson writes what sluice needs to reproduce Argo Rollouts' pod-template hash without Go:
//
//   - a TypeScript table of the Go types reachable from corev1.PodTemplateSpec, at the k8s.io/api version Argo
//     Rollouts v1.10.1 builds with (this module's go.mod): for each struct, its fields in Go order with their JSON
//     name, `omitempty` and type;
//   - a JSON file of vectors computed by the Go code itself: resource.Quantity texts as Go re-encodes them, and
//     pod templates with Go's encoding/json output and Argo's own hash.ComputePodTemplateHash.
//
// Usage: ../gojson.sh (go run ./gojson <table.ts> <vectors.json> < cases.json)
// cases.json: {"quantities": ["0.5", ...], "templates": [{...}, ...]}. Both outputs are committed; a test runs this
// again and fails when they drift.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/argoproj/argo-rollouts/utils/hash"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	kjson "sigs.k8s.io/json"
)

// Types with their own MarshalJSON, written by hand in the TypeScript marshaller.
var special = map[reflect.Type]string{
	reflect.TypeOf(resource.Quantity{}):  "Quantity",
	reflect.TypeOf(intstr.IntOrString{}): "IntOrString",
	reflect.TypeOf(metav1.Time{}):        "Time",
	reflect.TypeOf(metav1.FieldsV1{}):    "FieldsV1",
}

var (
	marshaler     = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshaler = reflect.TypeOf((*interface{ MarshalText() ([]byte, error) })(nil)).Elem()
)

type field struct {
	JSON      string
	Type      string
	OmitEmpty bool
	OmitZero  bool
}

type table struct {
	structs map[string][]field
	owner   map[string]reflect.Type
	order   []string
}

func (tb *table) name(t reflect.Type) string {
	if s, ok := special[t]; ok {
		return s
	}
	if t.Kind() != reflect.Pointer && t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler) ||
		t.Kind() != reflect.Pointer && t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		panic("unhandled custom marshaler: " + t.String())
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + tb.name(t.Elem())
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			panic("unhandled []byte: " + t.String())
		}
		return "[]" + tb.name(t.Elem())
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic("unhandled map key: " + t.String())
		}
		return "map[]" + tb.name(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int"
	case reflect.Struct:
		return tb.visit(t)
	}
	panic("unhandled kind: " + t.String())
}

func (tb *table) visit(t reflect.Type) string {
	n := t.Name()
	if prev, ok := tb.owner[n]; ok {
		if prev != t {
			panic("two structs named " + n + ": " + prev.PkgPath() + ", " + t.PkgPath())
		}
		return n
	}
	tb.owner[n] = t
	tb.order = append(tb.order, n)
	fields := tb.fields(n, t)
	seen := map[string]bool{}
	for _, f := range fields {
		if seen[f.JSON] {
			panic("duplicate JSON name " + f.JSON + " in " + n)
		}
		seen[f.JSON] = true
	}
	tb.structs[n] = fields
	return n
}

// fields lists the JSON fields of struct t (named n in messages) in Go order, embedded structs promoted.
func (tb *table) fields(n string, t reflect.Type) []field {
	var fields []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && (tag == "" || strings.HasPrefix(tag, ",")) {
			// An embedded struct without a JSON name: Go promotes its fields into this object.
			if f.Type.Kind() != reflect.Struct {
				panic("unhandled embedded field " + n + "." + f.Name)
			}
			fields = append(fields, tb.fields(n, f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if tag == "-" {
			continue
		}
		parts := strings.Split(tag, ",")
		jn := parts[0]
		if jn == "" {
			jn = f.Name
		}
		omit, zero := false, false
		for _, o := range parts[1:] {
			switch o {
			case "omitempty":
				omit = true
			case "omitzero":
				// Only where zero is easy to tell in TypeScript: metav1.Time (IsZero = no time) and pointers.
				if f.Type != reflect.TypeOf(metav1.Time{}) && f.Type.Kind() != reflect.Pointer {
					panic("unhandled omitzero on " + n + "." + f.Name + " (" + f.Type.String() + ")")
				}
				zero = true
			case "", "inline":
			default:
				panic("unhandled json option " + o + " on " + n + "." + f.Name)
			}
		}
		fields = append(fields, field{JSON: jn, OmitEmpty: omit, OmitZero: zero})
		fields[len(fields)-1].Type = tb.name(f.Type)
	}
	return fields
}

func q(s string) string {
	b, _ := json.Marshal(s)
	return "'" + strings.ReplaceAll(string(b[1:len(b)-1]), "'", "\\'") + "'"
}

func writeTable(path string) {
	tb := &table{structs: map[string][]field{}, owner: map[string]reflect.Type{}}
	root := tb.name(reflect.TypeOf(corev1.PodTemplateSpec{}))
	names := append([]string(nil), tb.order...)
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("/**\n * GENERATED by tools/argo-rollouts/gojson (go run ./gojson): do not edit. The Go structs reachable from\n")
	b.WriteString(" * `corev1.PodTemplateSpec` at the k8s.io/api version Argo Rollouts v1.10.1 builds with: each struct's fields in Go\n")
	b.WriteString(" * order as `[json name, type, omitempty, omitzero]`. Types: `string`, `bool`, `int`, `Quantity`, `IntOrString`, `Time`,\n")
	b.WriteString(" * `FieldsV1`, a struct name, or `*T` (pointer), `[]T` (slice), `map[]T` (map with string keys).\n */\n")
	b.WriteString("import type { GoStructTable } from './go-json.js';\n\n")
	fmt.Fprintf(&b, "/** The root type: `corev1.PodTemplateSpec`. */\nexport const POD_TEMPLATE_SPEC = %s;\n\n", q(root))
	b.WriteString("/** Struct name → fields in Go declaration order. */\nexport const GO_STRUCTS: GoStructTable = {\n")
	for _, n := range names {
		var rows []string
		for _, f := range tb.structs[n] {
			rows = append(rows, fmt.Sprintf("[%s, %s, %v, %v]", q(f.JSON), q(f.Type), f.OmitEmpty, f.OmitZero))
		}
		// Written as prettier prints it: one row per line, or all on one line when a single row fits.
		if one := fmt.Sprintf("  %s: [%s],", n, strings.Join(rows, ", ")); len(rows) <= 1 && len(one) <= 110 {
			b.WriteString(one + "\n")
			continue
		}
		fmt.Fprintf(&b, "  %s: [\n", n)
		for _, r := range rows {
			b.WriteString("    " + r + ",\n")
		}
		b.WriteString("  ],\n")
	}
	b.WriteString("};\n")
	must(os.WriteFile(path, []byte(b.String()), 0o644))
}

type cases struct {
	Quantities []string          `json:"quantities"`
	Templates  []json.RawMessage `json:"templates"`
}

type quantityVector struct {
	In  string `json:"in"`
	Out string `json:"out,omitempty"`
	Err bool   `json:"error,omitempty"`
}

type templateVector struct {
	Template json.RawMessage `json:"template"`
	GoJSON   string          `json:"goJson"`
	Hash     string          `json:"hash"`
	Hash7    string          `json:"hashCollision7"`
}

func writeVectors(path string) {
	var c cases
	must(json.NewDecoder(os.Stdin).Decode(&c))
	out := struct {
		Generator  string           `json:"generator"`
		Quantities []quantityVector `json:"quantities"`
		Templates  []templateVector `json:"templates"`
	}{Generator: "tools/argo-rollouts/gojson from tests/fixtures/go-json/cases.json"}
	for _, s := range c.Quantities {
		var qv resource.Quantity
		raw, _ := json.Marshal(s)
		if err := json.Unmarshal(raw, &qv); err != nil {
			out.Quantities = append(out.Quantities, quantityVector{In: s, Err: true})
			continue
		}
		b, err := json.Marshal(qv)
		must(err)
		var text string
		must(json.Unmarshal(b, &text))
		out.Quantities = append(out.Quantities, quantityVector{In: s, Out: text})
	}
	for _, raw := range c.Templates {
		var t corev1.PodTemplateSpec
		// The decoder Kubernetes clients use (case-sensitive keys), as Argo's informer decodes a Rollout.
		if err := kjson.UnmarshalCaseSensitivePreserveInts(raw, &t); err != nil {
			panic(fmt.Sprintf("template %s: %v", raw, err))
		}
		b, err := json.Marshal(&t)
		must(err)
		seven := int32(7)
		out.Templates = append(out.Templates, templateVector{
			Template: raw, GoJSON: string(b),
			Hash: hash.ComputePodTemplateHash(&t, nil), Hash7: hash.ComputePodTemplateHash(&t, &seven),
		})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	must(err)
	must(os.WriteFile(path, append(b, '\n'), 0o644))
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gojson <table.ts> <vectors.json> < cases.json")
		os.Exit(2)
	}
	writeTable(os.Args[1])
	writeVectors(os.Args[2])
}
