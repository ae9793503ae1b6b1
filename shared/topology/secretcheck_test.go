package topology_test

// The secrets rules of the template checker: a secret the stack generates
// (the key-encryption key of actors' private keys) is generated, never
// written in the template, outlives the stack, and only functions that name
// it may read it.

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

const secretKind = "AWS::SecretsManager::Secret"

func checkSecrets(r *report, resources map[string]any, typeOf func(string) string) {
	ids := make([]string, 0, len(resources))
	for id := range resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		res := resources[id]
		if typeOf(id) == secretKind {
			for _, p := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
				if str(path(res, p)) != "Retain" {
					r.add("secret %s: %s must be Retain (losing it loses what it protects)", id, p)
				}
			}
			if path(res, "Properties", "SecretString") != nil {
				r.add("secret %s: SecretString puts the secret in the template; use GenerateSecretString", id)
			}
			if path(res, "Properties", "GenerateSecretString") == nil {
				r.add("secret %s has no GenerateSecretString", id)
			}
		}
		walkStatements(res, func(st map[string]any, n int) {
			label := fmt.Sprintf("%s statement %d", id, n)
			if sid := str(st["Sid"]); sid != "" {
				label = fmt.Sprintf("%s statement %s", id, sid)
			}
			secretAction := false
			for _, a := range strs(st["Action"]) {
				secretAction = secretAction || strings.HasPrefix(strings.ToLower(a), "secretsmanager:")
			}
			if !secretAction || str(st["Effect"]) == "Deny" {
				return
			}
			resList, ok := st["Resource"].([]any)
			if !ok {
				resList = []any{st["Resource"]}
			}
			for _, res := range resList {
				if target := ref(res); target == "" || typeOf(target) != secretKind {
					r.add("%s: a secretsmanager action's Resource must be !Ref <%s>, got %s", label, secretKind, describe(res))
				}
			}
		})
	}
}

const secretTemplate = `
  ReaderFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: makefile}
    Properties:
      CodeUri: .
      Environment:
        Variables:
          KEK_SECRET_ARN: !Ref Kek
      Policies:
        - Statement:
            - Sid: Kek
              Effect: Allow
              Action: secretsmanager:GetSecretValue
              Resource: !Ref Kek
  Kek:
    Type: AWS::SecretsManager::Secret
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      GenerateSecretString: {PasswordLength: 64}
`

func TestCheckerReportsSecretDrift(t *testing.T) {
	s := testStack()
	s.Functions = append(s.Functions, s.Functions[0])
	s.Functions[len(s.Functions)-1].Name, s.Functions[len(s.Functions)-1].LogicalID = "reader", "ReaderFunction"
	s.Functions[len(s.Functions)-1].Routes = nil
	s.Dirs["reader"] = true
	good := goodTemplate + secretTemplate
	if problems := checkString(t, good, s); len(problems) != 0 {
		t.Fatalf("problems in the good template:\n%s", strings.Join(problems, "\n"))
	}
	for _, c := range []struct{ old, new, want string }{
		{"    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n    Properties:\n      GenerateSecretString", "    UpdateReplacePolicy: Retain\n    Properties:\n      GenerateSecretString",
			"secret Kek: DeletionPolicy must be Retain"},
		{"GenerateSecretString: {PasswordLength: 64}", "SecretString: abc",
			"secret Kek: SecretString puts the secret in the template"},
		{"      Environment:\n        Variables:\n          KEK_SECRET_ARN: !Ref Kek\n", "",
			"ReaderFunction allows secretsmanager:GetSecretValue on the secret Kek, but none of its environment variables names it"},
		{"            - Sid: Kek\n              Effect: Allow", "            - Sid: Kek\n              Effect: Deny",
			"ReaderFunction: KEK_SECRET_ARN names the secret Kek, but no statement of its policies allows secretsmanager:GetSecretValue on it"},
		{"Resource: !Ref Kek", "Resource: !Ref Table",
			"ReaderFunction statement Kek: a secretsmanager action's Resource must be !Ref <AWS::SecretsManager::Secret>, got !Ref Table"},
		{"Resource: !Ref Kek", `Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:other"`,
			"ReaderFunction statement Kek: a secretsmanager action's Resource must be !Ref"},
	} {
		if !strings.Contains(good, c.old) {
			t.Fatalf("test template lacks %q", c.old)
		}
		problems := checkString(t, strings.Replace(good, c.old, c.new, 1), s)
		found := false
		for _, p := range problems {
			found = found || strings.HasPrefix(p, c.want)
		}
		if !found {
			t.Errorf("breaking %q: want a problem starting %q, got:\n%s", c.old, c.want, strings.Join(problems, "\n"))
		}
	}
}
