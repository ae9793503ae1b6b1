package topology_test

// A plain yaml.v3 reading of a template that keeps what goformation drops:
// Globals as written, and intrinsic functions (!Ref, !GetAtt, !Sub, ...)
// with their arguments, in short or long form.

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// intrinsic is a CloudFormation function call (!Ref, !GetAtt, !Sub, ...)
// in either the short (tag) or the long (map) form.
type intrinsic struct {
	Name string // "Ref", "Fn::GetAtt", "Fn::Sub", ...
	Arg  any
}

// rawTemplate turns the YAML into maps, lists, strings and intrinsics.
func rawTemplate(src []byte) (map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parse template YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("parse template YAML: empty document")
	}
	m, ok := convert(doc.Content[0]).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse template YAML: top level is not a mapping")
	}
	return m, nil
}

func convert(n *yaml.Node) any {
	var v any
	switch n.Kind {
	case yaml.AliasNode:
		return convert(n.Alias)
	case yaml.ScalarNode:
		v = n.Value
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			l = append(l, convert(c))
		}
		v = l
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = convert(n.Content[i+1])
		}
		if len(m) == 1 {
			for k, a := range m {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return intrinsic{Name: k, Arg: a}
				}
			}
		}
		v = m
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name := strings.TrimPrefix(n.Tag, "!")
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		if s, ok := v.(string); ok && name == "Fn::GetAtt" {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
		return intrinsic{Name: name, Arg: v}
	}
	return v
}

// path walks nested maps.
func path(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string { s, _ := v.(string); return s }

// strs returns a string or a list of strings as a list.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, describe(e))
		}
		return out
	case intrinsic:
		return []string{describe(v)}
	}
	return nil
}

// describe renders a value for messages; a !Sub renders as its string.
func describe(v any) string {
	if f, ok := v.(intrinsic); ok {
		if f.Name == "Fn::Sub" {
			if s, ok := f.Arg.(string); ok {
				return s
			}
		}
		return fmt.Sprintf("!%s %v", strings.TrimPrefix(f.Name, "Fn::"), f.Arg)
	}
	return fmt.Sprint(v)
}

// getAtt returns the resource and attribute of a !GetAtt.
func getAtt(v any) (res, attr string) {
	f, ok := v.(intrinsic)
	if !ok || f.Name != "Fn::GetAtt" {
		return "", ""
	}
	l, _ := f.Arg.([]any)
	if len(l) != 2 {
		return "", ""
	}
	return str(l[0]), str(l[1])
}

// ref returns the target of a !Ref.
func ref(v any) string {
	if f, ok := v.(intrinsic); ok && f.Name == "Ref" {
		return str(f.Arg)
	}
	return ""
}

// typedView returns the template with only the resources of the given
// types, for goformation, whose typed model lags behind CloudFormation.
func typedView(src []byte, kinds []string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parse template YAML: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse template YAML: top level is not a mapping")
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "Resources" {
			continue
		}
		res := top.Content[i+1]
		var keep []*yaml.Node
		for j := 0; j+1 < len(res.Content); j += 2 {
			if slices.Contains(kinds, str(path(convert(res.Content[j+1]), "Type"))) {
				keep = append(keep, res.Content[j], res.Content[j+1])
			}
		}
		res.Content = keep
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, fmt.Errorf("write typed view: %w", err)
	}
	return out, nil
}
