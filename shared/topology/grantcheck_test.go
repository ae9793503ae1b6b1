package topology_test

// The grant rules of the template checker: a function sends to a queue,
// or reads a secret, that one of its environment variables names (its own
// or the Globals'), exactly when a statement of its policies allows it. A
// queue or secret named without the permission fails at run time; a
// permission with no variable naming its resource is one the code cannot
// use, so it should not be granted.

import (
	"sort"
	"strings"
)

// grantKinds are the resources the rule covers, with the action a
// function's policy must allow on each.
var grantKinds = []struct{ kind, what, action string }{
	{"AWS::SQS::Queue", "queue", "sqs:SendMessage"},
	{"AWS::SecretsManager::Secret", "secret", "secretsmanager:GetSecretValue"},
}

func checkGrants(r *report, raw map[string]any, typeOf func(string) string) {
	resources, _ := raw["Resources"].(map[string]any)
	ids := make([]string, 0, len(resources))
	for id := range resources {
		if typeOf(id) == "AWS::Serverless::Function" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		named := map[string]string{} // resource → the variable naming it
		for _, vars := range []any{
			path(raw, "Globals", "Function", "Environment", "Variables"),
			path(resources, id, "Properties", "Environment", "Variables"),
		} {
			m, _ := vars.(map[string]any)
			for name, v := range m {
				if target := ref(v); target != "" {
					named[target] = name
				}
			}
		}
		allowed := map[string]map[string]bool{} // resource → actions, lower case
		walkStatements(path(resources, id, "Properties", "Policies"), func(st map[string]any, _ int) {
			if str(st["Effect"]) != "Allow" {
				return
			}
			res, ok := st["Resource"].([]any)
			if !ok {
				res = []any{st["Resource"]}
			}
			for _, v := range res {
				target := ref(v)
				if t, attr := getAtt(v); t != "" && attr == "Arn" {
					target = t
				}
				if target == "" {
					continue
				}
				if allowed[target] == nil {
					allowed[target] = map[string]bool{}
				}
				for _, a := range strs(st["Action"]) {
					allowed[target][strings.ToLower(a)] = true
				}
			}
		})
		for _, g := range grantKinds {
			for _, target := range sortedKeys(named) {
				if typeOf(target) == g.kind && !allowed[target][strings.ToLower(g.action)] {
					r.add("%s: %s names the %s %s, but no statement of its policies allows %s on it", id, named[target], g.what, target, g.action)
				}
			}
			for _, target := range sortedKeys(allowed) {
				if typeOf(target) == g.kind && allowed[target][strings.ToLower(g.action)] && named[target] == "" {
					r.add("%s allows %s on the %s %s, but none of its environment variables names it (!Ref %s)", id, g.action, g.what, target, target)
				}
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
