package topology_test

// The checker behind TestTemplateMatchesTopology. It reads template.yaml
// twice: as a plain yaml.v3 tree for the resource inventory and for what
// goformation cannot see (Globals, which it does not merge into functions,
// and every !Ref/!GetAtt/!Sub, which it resolves to empty strings), and
// with goformation for the typed view of functions, queues and the table.
// goformation v7.14.9 predates some properties the template uses
// (CloudFront VPC origins, layers' CompatibleArchitectures), so it is given
// only the resource kinds it reads (typedKinds); the rest (CloudFront, the
// layer, the container service) is checked on the plain tree.

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/vidiverse/vidiverse/shared/table"
	"github.com/vidiverse/vidiverse/shared/topology"
)

// stack is what the template must describe.
type stack struct {
	Functions []topology.Function
	Queues    []topology.Queue
	LocalOnly []string
	// CDN and Container are the routes the distribution sends to the
	// media bucket and to the seeder container.
	CDN       []string
	Container []string
	// FFmpeg are the LogicalIDs of the functions that run ffmpeg from a
	// layer.
	FFmpeg []string
	Schema table.Schema
	// Dirs maps each folder under functions/ to whether it holds a
	// main.go; nil skips the folder check.
	Dirs map[string]bool
}

type report struct{ problems []string }

func (r *report) add(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// typedKinds are the resource types given to goformation.
var typedKinds = []string{
	"AWS::Serverless::Function", "AWS::Serverless::HttpApi",
	"AWS::SQS::Queue", "AWS::DynamoDB::Table", "AWS::S3::Bucket",
}

// checkTemplate returns every way the template departs from want, one
// message per missing or extra thing.
func checkTemplate(src []byte, want stack) []string {
	r := &report{}
	raw, err := rawTemplate(src)
	if err != nil {
		return []string{err.Error()}
	}
	resources, _ := raw["Resources"].(map[string]any)
	typeOf := func(id string) string { return str(path(resources, id, "Type")) }
	typed, err := typedView(src, typedKinds)
	if err != nil {
		return []string{err.Error()}
	}
	tpl, err := goformation.ParseYAML(typed)
	if err != nil {
		return []string{fmt.Sprintf("goformation: %v", err)}
	}

	checkDirs(r, want)
	checkGlobals(r, raw, tpl, typeOf)
	checkFunctions(r, tpl, resources, typeOf, want)
	checkQueues(r, tpl, raw, typeOf, want)
	checkLayers(r, resources, typeOf, want)
	checkDistribution(r, resources, typeOf, want)
	checkPolicies(r, resources)
	checkSecrets(r, resources, typeOf)
	checkGrants(r, raw, typeOf)
	checkNetwork(r, resources, typeOf)
	checkTable(r, tpl, want.Schema)
	sort.Strings(r.problems)
	return r.problems
}

func checkDirs(r *report, want stack) {
	if want.Dirs == nil {
		return
	}
	names := map[string]bool{}
	for _, f := range want.Functions {
		names[f.Name] = true
		if _, ok := want.Dirs[f.Name]; !ok {
			r.add("topology function %q has no folder functions/%s", f.Name, f.Name)
		}
	}
	for dir, hasMain := range want.Dirs {
		if !names[dir] {
			r.add("functions/%s is not in topology.Functions", dir)
		} else if !hasMain {
			r.add("functions/%s has no main.go", dir)
		}
	}
}

// wantGlobals are the function settings every function shares.
var wantGlobals = map[string]string{"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": "[arm64]"}

func checkGlobals(r *report, raw map[string]any, tpl *cloudformation.Template, typeOf func(string) string) {
	g := path(raw, "Globals", "Function")
	for key, want := range wantGlobals {
		got := path(g, key)
		if l, ok := got.([]any); ok && key == "Architectures" {
			got = "[" + strings.Join(strs(l), " ") + "]"
		}
		if got != want {
			r.add("Globals.Function.%s is %v, want %s", key, describe(got), want)
		}
	}
	for id, f := range tpl.GetAllServerlessFunctionResources() {
		if f.Runtime != nil && *f.Runtime != wantGlobals["Runtime"] {
			r.add("%s overrides Globals.Function.Runtime with %s", id, *f.Runtime)
		}
		if f.Handler != nil && *f.Handler != wantGlobals["Handler"] {
			r.add("%s overrides Globals.Function.Handler with %s", id, *f.Handler)
		}
		if f.Architectures != nil && !slices.Equal(f.Architectures, []string{"arm64"}) {
			r.add("%s overrides Globals.Function.Architectures with %v", id, f.Architectures)
		}
	}
	vars := path(g, "Environment", "Variables")
	for name, typ := range map[string]string{"TABLE_NAME": "AWS::DynamoDB::Table", "MEDIA_BUCKET": "AWS::S3::Bucket"} {
		if typeOf(ref(path(vars, name))) != typ {
			r.add("Globals.Function.Environment.Variables.%s must !Ref the %s, got %s", name, typ, describe(path(vars, name)))
		}
	}
}

func checkFunctions(r *report, tpl *cloudformation.Template, resources map[string]any, typeOf func(string) string, want stack) {
	topo := map[string]topology.Function{}
	for _, f := range want.Functions {
		topo[f.LogicalID] = f
		if !strings.EqualFold(f.LogicalID, strings.ReplaceAll(f.Name, "-", "")+"Function") {
			r.add("topology function %q: LogicalID %s must be the folder name in CamelCase plus Function (infra/build.mk maps build-<LogicalID> to functions/<name>)", f.Name, f.LogicalID)
		}
		switch t := typeOf(f.LogicalID); t {
		case "AWS::Serverless::Function":
		case "":
			r.add("topology function %q has no AWS::Serverless::Function resource %s in template.yaml", f.Name, f.LogicalID)
		default:
			r.add("%s is %s, want AWS::Serverless::Function", f.LogicalID, t)
		}
	}
	for id := range resources {
		t := typeOf(id)
		if (t == "AWS::Serverless::Function" || t == "AWS::Lambda::Function") && topo[id].LogicalID == "" {
			r.add("function resource %s in template.yaml is not in topology.Functions", id)
		}
	}

	localOnly := map[string]bool{}
	for _, route := range want.LocalOnly {
		localOnly[route] = true
	}
	servedBy := map[string]string{}
	fns := tpl.GetAllServerlessFunctionResources()
	ids := make([]string, 0, len(fns))
	for id := range fns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		f := fns[id]
		if m := f.AWSCloudFormationMetadata["BuildMethod"]; m != "makefile" {
			r.add("%s: Metadata.BuildMethod is %v, want makefile (infra/build.mk provides build-%s)", id, m, id)
		}
		if f.CodeUri == nil || f.CodeUri.String == nil || *f.CodeUri.String != "." {
			r.add("%s: CodeUri must be . (the module root, where the Makefile is)", id)
		}
		got := map[string]bool{}
		for name, ev := range f.Events {
			switch ev.Type {
			case "HttpApi":
				route := "$default"
				if p := ev.Properties; p != nil && p.HttpApiEvent != nil && p.HttpApiEvent.Path != nil {
					method := "ANY"
					if p.HttpApiEvent.Method != nil {
						method = strings.ToUpper(*p.HttpApiEvent.Method)
					}
					route = method + " " + *p.HttpApiEvent.Path
				}
				got[route] = true
				if other, dup := servedBy[route]; dup {
					r.add("route %q is served by both %s and %s", route, other, id)
				}
				servedBy[route] = id
				if localOnly[route] {
					r.add("%s: local-only route %q must not be in template.yaml", id, route)
				}
				apiID := path(resources, id, "Properties", "Events", name, "Properties", "ApiId")
				if apiID != nil && typeOf(ref(apiID)) != "AWS::Serverless::HttpApi" {
					r.add("%s event %s: ApiId must !Ref an AWS::Serverless::HttpApi, got %s", id, name, describe(apiID))
				}
			case "Api":
				r.add("%s event %s is a REST Api event; routes are HttpApi events", id, name)
			}
		}
		tf, inTopo := topo[id]
		if !inTopo {
			continue
		}
		for route := range got {
			if !slices.Contains(tf.Routes, route) {
				r.add("%s: route %q is in template.yaml but not in topology", id, route)
			}
		}
		for _, route := range tf.Routes {
			if !got[route] {
				r.add("%s: topology route %q has no HttpApi event in template.yaml", id, route)
			}
		}
	}
}

func isDLQName(id string) bool {
	return strings.HasSuffix(id, "DLQ") || strings.HasSuffix(id, "DeadLetterQueue")
}

func checkQueues(r *report, tpl *cloudformation.Template, raw map[string]any, typeOf func(string) string, want stack) {
	resources, _ := raw["Resources"].(map[string]any)
	queues := tpl.GetAllSQSQueueResources()
	dlqs := map[string]bool{}
	for id := range queues {
		if isDLQName(id) {
			dlqs[id] = true
		}
		if target, _ := getAtt(path(resources, id, "Properties", "RedrivePolicy", "deadLetterTargetArn")); target != "" {
			dlqs[target] = true
		}
	}
	byName := map[string]string{}
	inTopo := map[string]bool{}
	for _, q := range want.Queues {
		byName[q.Name] = q.LogicalID
		inTopo[q.LogicalID] = true
		if _, ok := queues[q.LogicalID]; !ok {
			r.add("topology queue %q has no AWS::SQS::Queue %s in template.yaml", q.Name, q.LogicalID)
		}
	}
	for id := range queues {
		if dlqs[id] && !inTopo[id] {
			continue
		}
		if !inTopo[id] {
			r.add("queue %s in template.yaml is not in topology.Queues", id)
		}
		redrive := path(resources, id, "Properties", "RedrivePolicy")
		if redrive == nil {
			r.add("queue %s has no RedrivePolicy to a dead-letter queue", id)
			continue
		}
		target, attr := getAtt(path(redrive, "deadLetterTargetArn"))
		if attr != "Arn" || typeOf(target) != "AWS::SQS::Queue" || target == id {
			r.add("queue %s: RedrivePolicy.deadLetterTargetArn must be !GetAtt <dead-letter queue>.Arn, got %s", id, describe(path(redrive, "deadLetterTargetArn")))
		}
		if n := str(path(redrive, "maxReceiveCount")); n == "" || n == "0" {
			r.add("queue %s: RedrivePolicy has no maxReceiveCount", id)
		}
	}

	consumes := map[string]string{}
	for _, f := range want.Functions {
		consumes[f.LogicalID] = f.Consumes
		if f.Consumes != "" && byName[f.Consumes] == "" {
			r.add("topology function %q consumes %q, which is not in topology.Queues", f.Name, f.Consumes)
		}
	}
	for id, f := range tpl.GetAllServerlessFunctionResources() {
		found := false
		for name, ev := range f.Events {
			if ev.Type != "SQS" {
				continue
			}
			props := path(resources, id, "Properties", "Events", name, "Properties")
			target, _ := getAtt(path(props, "Queue"))
			wantQ := byName[consumes[id]]
			if consumes[id] == "" || target != wantQ {
				r.add("%s event %s consumes %s, but topology says it consumes %q", id, name, describe(path(props, "Queue")), consumes[id])
			} else {
				found = true
			}
			if !slices.Contains(strs(path(props, "FunctionResponseTypes")), "ReportBatchItemFailures") {
				r.add("%s event %s: FunctionResponseTypes must be [ReportBatchItemFailures]", id, name)
			}
			if n, ok := number(raw, path(props, "BatchSize")); !ok || n < 1 {
				r.add("%s event %s: BatchSize must be set (a job's cost decides it; the default of 10 rarely fits)", id, name)
			}
			checkVisibility(r, raw, id, target)
		}
		if q := byName[consumes[id]]; q != "" && !found {
			r.add("%s has no SQS event with Queue !GetAtt %s.Arn (topology: consumes %q)", id, q, consumes[id])
		}
	}
}

// Defaults AWS applies when the template says nothing.
const (
	defaultLambdaTimeout   = 3
	defaultQueueVisibility = 30
)

// checkVisibility holds a consumed queue's visibility timeout to at least
// six times its consumer's timeout, as AWS advises for Lambda event
// sources: a message must stay hidden while the function (and its
// retries of throttled invocations) may still be working on it.
func checkVisibility(r *report, raw map[string]any, fn, queue string) {
	if queue == "" {
		return
	}
	timeout, ok := defaultLambdaTimeout, true
	if v := path(raw, "Resources", fn, "Properties", "Timeout"); v != nil {
		timeout, ok = number(raw, v)
	} else if v := path(raw, "Globals", "Function", "Timeout"); v != nil {
		timeout, ok = number(raw, v)
	}
	if !ok {
		r.add("%s: Timeout must be a number or a !Ref to a parameter with a default", fn)
		return
	}
	vis := defaultQueueVisibility
	if v := path(raw, "Resources", queue, "Properties", "VisibilityTimeout"); v != nil {
		if vis, ok = number(raw, v); !ok {
			r.add("queue %s: VisibilityTimeout must be a number or a !Ref to a parameter with a default", queue)
			return
		}
	}
	if vis < 6*timeout {
		r.add("queue %s: VisibilityTimeout %d is less than 6 × %s's timeout of %d s (%d)", queue, vis, fn, timeout, 6*timeout)
	}
}

// number reads an integer written literally or as a !Ref to a parameter's
// default.
func number(raw map[string]any, v any) (int, bool) {
	if p := ref(v); p != "" {
		v = path(raw, "Parameters", p, "Default")
	}
	n, err := strconv.Atoi(str(v))
	return n, err == nil
}

func checkTable(r *report, tpl *cloudformation.Template, schema table.Schema) {
	tables := tpl.GetAllDynamoDBTableResources()
	if len(tables) != 1 {
		r.add("template.yaml has %d AWS::DynamoDB::Table resources, want exactly 1 (single-table design)", len(tables))
	}
	for id, t := range tables {
		if t.BillingMode == nil || *t.BillingMode != "PAY_PER_REQUEST" {
			r.add("table %s: BillingMode must be PAY_PER_REQUEST", id)
		}
		used := map[string]bool{}
		keyOf := func(ks []dynamoKey) (hash, rng string) {
			for _, k := range ks {
				used[k.AttributeName] = true
				switch k.KeyType {
				case "HASH":
					hash = k.AttributeName
				case "RANGE":
					rng = k.AttributeName
				}
			}
			return hash, rng
		}
		var ks []dynamoKey
		for _, k := range t.KeySchema {
			ks = append(ks, dynamoKey{k.AttributeName, k.KeyType})
		}
		if h, s := keyOf(ks); h != table.AttrPK || s != table.AttrSK || len(ks) != 2 {
			r.add("table %s: key is %s HASH / %s RANGE, want %s HASH / %s RANGE", id, h, s, table.AttrPK, table.AttrSK)
		}
		got := map[string]bool{}
		for _, g := range t.GlobalSecondaryIndexes {
			got[g.IndexName] = true
			var ks []dynamoKey
			for _, k := range g.KeySchema {
				ks = append(ks, dynamoKey{k.AttributeName, k.KeyType})
			}
			h, s := keyOf(ks)
			ix, ok := schema.IndexByName(g.IndexName)
			if !ok {
				r.add("table %s: GSI %q is not in the store's schema", id, g.IndexName)
				continue
			}
			if h != ix.PK || s != ix.SK || len(ks) != 2 {
				r.add("table %s: GSI %q key is %s HASH / %s RANGE, want %s HASH / %s RANGE", id, g.IndexName, h, s, ix.PK, ix.SK)
			}
			if g.Projection == nil || g.Projection.ProjectionType == nil || *g.Projection.ProjectionType != "ALL" {
				r.add("table %s: GSI %q must project ALL attributes", id, g.IndexName)
			}
		}
		for _, ix := range schema.Indexes {
			if !got[ix.Name] {
				r.add("table %s: GSI %q (%s/%s) from the store's schema is missing", id, ix.Name, ix.PK, ix.SK)
			}
		}
		ttl := t.TimeToLiveSpecification
		if ttl == nil || ttl.AttributeName == nil || *ttl.AttributeName != schema.TTLAttribute || !ttl.Enabled {
			r.add("table %s: TimeToLiveSpecification must enable attribute %q", id, schema.TTLAttribute)
		}
		defined := map[string]bool{}
		for _, d := range t.AttributeDefinitions {
			defined[d.AttributeName] = true
			if !used[d.AttributeName] {
				r.add("table %s: attribute %q is defined but no key uses it", id, d.AttributeName)
			} else if d.AttributeType != "S" {
				r.add("table %s: key attribute %q has type %s, want S", id, d.AttributeName, d.AttributeType)
			}
		}
		for a := range used {
			if !defined[a] {
				r.add("table %s: key attribute %q has no AttributeDefinition", id, a)
			}
		}
	}
}

type dynamoKey struct{ AttributeName, KeyType string }
