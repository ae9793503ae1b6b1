package topology_test

// The IAM rules of the template checker: every Allow names its actions and
// resources, and no AWS managed policy grants more than a function needs.

import (
	"fmt"
	"strings"
)

// broadManaged names AWS managed policies that grant far more than any
// function needs.
var broadManaged = []string{"FullAccess", "AdministratorAccess", "PowerUserAccess"}

func checkPolicies(r *report, resources map[string]any) {
	for id, res := range resources {
		for _, p := range strs(path(res, "Properties", "Policies")) {
			for _, b := range broadManaged {
				if strings.Contains(p, b) {
					r.add("%s uses the managed policy %s", id, p)
				}
			}
		}
		for _, p := range strs(path(res, "Properties", "ManagedPolicyArns")) {
			for _, b := range broadManaged {
				if strings.Contains(p, b) {
					r.add("%s uses the managed policy %s", id, p)
				}
			}
		}
		walkStatements(res, func(st map[string]any, n int) {
			label := fmt.Sprintf("%s statement %d", id, n)
			if sid := str(st["Sid"]); sid != "" {
				label = fmt.Sprintf("%s statement %s", id, sid)
			}
			// A Deny only narrows what others allow: a wildcard there (such
			// as refusing s3:* without TLS) grants nothing.
			if str(st["Effect"]) == "Deny" {
				return
			}
			if st["NotAction"] != nil || st["NotResource"] != nil {
				r.add("%s uses NotAction/NotResource", label)
			}
			if p := st["Principal"]; str(p) == "*" || str(path(p, "AWS")) == "*" {
				r.add("%s allows every principal", label)
			}
			for _, a := range strs(st["Action"]) {
				if strings.Contains(a, "*") {
					r.add("%s allows the wildcard action %q", label, a)
				}
			}
			for _, res := range strs(st["Resource"]) {
				if res == "*" || strings.HasSuffix(res, ":*") {
					r.add("%s allows the wildcard resource %q", label, res)
				}
			}
		})
	}
}

// walkStatements calls fn for each statement of each policy document
// (a mapping with a Statement key) under v.
func walkStatements(v any, fn func(map[string]any, int)) {
	switch v := v.(type) {
	case map[string]any:
		if st, ok := v["Statement"]; ok {
			switch st := st.(type) {
			case map[string]any:
				fn(st, 0)
			case []any:
				for i, s := range st {
					if m, ok := s.(map[string]any); ok {
						fn(m, i)
					}
				}
			}
			return
		}
		for _, c := range v {
			walkStatements(c, fn)
		}
	case []any:
		for _, c := range v {
			walkStatements(c, fn)
		}
	}
}
