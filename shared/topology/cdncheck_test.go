package topology_test

// The CloudFront rules of the template checker. The distribution sends
// every path to the HTTP API (the functions) by default; topology's
// CDNRoutes to the media bucket and its ContainerRoutes to the seeder's
// load balancer, each both ways: every such route has its cache behaviour,
// and every behaviour to those origins has its route. No behaviour to
// another origin may take the paths of a function's route.

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/vidiverse/vidiverse/shared/topology"
)

// Managed CloudFront policies the checker knows by ID.
const (
	cachingDisabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" // Managed-CachingDisabled
	// Origin request policies that forward the viewer's Host, which API
	// Gateway answers with 403 (it routes on its own execute-api host).
	allViewer              = "216adef6-5c7f-47e4-b989-5492eafa07d3" // Managed-AllViewer
	allViewerAndCloudFront = "33f36d7e-f396-46d9-90e0-52428a34d9dc" // Managed-AllViewerAndCloudFrontHeaders-2022-06
)

// allMethods are the methods of a behaviour that allows every method.
var allMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

// Origin kinds.
const (
	originAPI       = "the HttpApi"
	originMedia     = "the media bucket"
	originContainer = "the container's load balancer"
)

// behaviour is one cache behaviour; the default one has Pattern "*".
type behaviour struct {
	Pattern string
	Origin  string
	Methods []string
	Props   any
}

func (b behaviour) String() string {
	if b.Pattern == "*" {
		return "the default cache behaviour"
	}
	return "cache behaviour " + b.Pattern
}

func checkDistribution(r *report, resources map[string]any, typeOf func(string) string, want stack) {
	var dists []string
	for id := range resources {
		if typeOf(id) == "AWS::CloudFront::Distribution" {
			dists = append(dists, id)
		}
	}
	sort.Strings(dists)
	if len(dists) != 1 {
		if len(dists) > 1 || len(want.CDN)+len(want.Container) > 0 {
			r.add("template.yaml has %d AWS::CloudFront::Distribution resources, want exactly 1 (the CDN and container routes go through it)", len(dists))
		}
		return
	}
	dist := dists[0]
	cfg := path(resources, dist, "Properties", "DistributionConfig")

	kinds := map[string]string{} // origin Id → kind
	for _, o := range list(path(cfg, "Origins")) {
		id := str(path(o, "Id"))
		kind := originKind(o, typeOf)
		switch kind {
		case "":
			r.add("%s origin %s: DomainName %s is none of the HttpApi, the media bucket or a load balancer", dist, id, describe(path(o, "DomainName")))
		case originAPI, originContainer:
			// Neither origin sees the viewer's Host (API Gateway cannot be
			// given it), so the code reads the public host from here.
			if !strings.Contains(describe(customHeader(o, "X-Forwarded-Host")), "PublicUrl") {
				r.add("%s origin %s: OriginCustomHeaders must set X-Forwarded-Host to PublicUrl's host", dist, id)
			}
		case originMedia:
			if oac, attr := getAtt(path(o, "OriginAccessControlId")); attr != "Id" || typeOf(oac) != "AWS::CloudFront::OriginAccessControl" {
				r.add("%s origin %s reads the media bucket without an origin access control (OriginAccessControlId: !GetAtt <OAC>.Id)", dist, id)
			}
			bucket, _ := getAtt(path(o, "DomainName"))
			checkBucketPolicy(r, resources, typeOf, dist, bucket, want.CDN)
		}
		kinds[id] = kind
	}

	behaviours := []behaviour{readBehaviour(path(cfg, "DefaultCacheBehavior"), "*")}
	for _, b := range list(path(cfg, "CacheBehaviors")) {
		behaviours = append(behaviours, readBehaviour(b, str(path(b, "PathPattern"))))
	}
	for i, b := range behaviours {
		kind, known := kinds[b.Origin]
		if !known {
			r.add("%s targets origin %q, which the distribution does not define", b, b.Origin)
			continue
		}
		if kind == "" {
			continue // its origin is reported already
		}
		if i == 0 && kind != originAPI {
			r.add("the default cache behaviour goes to %s, want the HttpApi (the functions serve every path not routed elsewhere)", kind)
		}
		switch kind {
		case originAPI:
			if !slices.Equal(b.Methods, allMethods) {
				r.add("%s to the HttpApi must allow every method, got %v", b, b.Methods)
			}
			if p := str(path(b.Props, "CachePolicyId")); p != cachingDisabled {
				r.add("%s to the HttpApi must use Managed-CachingDisabled (answers depend on Authorization), got %q", b, p)
			}
			if p := str(path(b.Props, "OriginRequestPolicyId")); p == allViewer || p == allViewerAndCloudFront {
				r.add("%s forwards the viewer's Host to API Gateway, which answers 403 to a host it does not serve", b)
			}
		case originMedia:
			if !underRoutes(b.Pattern, want.CDN) {
				r.add("%s reads the media bucket but is under no topology.CDNRoutes path", b)
			}
			for _, m := range b.Methods {
				if !slices.Contains([]string{"GET", "HEAD", "OPTIONS"}, m) {
					r.add("%s to the media bucket allows %s; media is read-only", b, m)
				}
			}
		case originContainer:
			if !slices.ContainsFunc(want.Container, func(route string) bool { return routePattern(route) == b.Pattern }) {
				r.add("%s goes to the container but is not in topology.ContainerRoutes", b)
			}
		}
	}
	checkRoutesHaveBehaviours(r, behaviours, kinds, "CDN", want.CDN, originMedia)
	checkRoutesHaveBehaviours(r, behaviours, kinds, "container", want.Container, originContainer)
	checkReachable(r, behaviours[1:])
	checkFunctionRoutesReachAPI(r, behaviours, kinds, want.Functions)
}

// checkFunctionRoutesReachAPI requires every function route to reach the
// HttpApi: the behaviour CloudFront picks for a path of the route (the
// first cache behaviour whose pattern matches, else the default) must go
// there. A greedy route is tried with one path below its prefix, so a
// behaviour taking part of it (a container route carved out of
// /api/v1/*) is allowed, and one taking all of it is not.
func checkFunctionRoutesReachAPI(r *report, behaviours []behaviour, kinds map[string]string, fns []topology.Function) {
	for _, f := range fns {
		for _, route := range f.Routes {
			p := strings.ReplaceAll(routePattern(route), "*", "x")
			b := behaviours[0]
			for _, c := range behaviours[1:] {
				if pathPatternMatches(c.Pattern, p) {
					b = c
					break
				}
			}
			// A default behaviour elsewhere is reported on its own.
			if kind := kinds[b.Origin]; kind != "" && kind != originAPI && b.Pattern != "*" {
				r.add("%s route %q reaches %s through %s, want the HttpApi", f.LogicalID, route, kind, b)
			}
		}
	}
}

// pathPatternMatches matches a path as CloudFront matches a cache
// behaviour's path pattern: * is any run of characters (slashes too), ?
// one character, and the leading slash is optional.
func pathPatternMatches(pattern, p string) bool {
	if !strings.HasPrefix(pattern, "/") {
		pattern = "/" + pattern
	}
	re := regexp.QuoteMeta(pattern)
	re = strings.ReplaceAll(re, `\*`, ".*")
	re = strings.ReplaceAll(re, `\?`, ".")
	ok, _ := regexp.MatchString("^"+re+"$", p)
	return ok
}

// checkRoutesHaveBehaviours requires a behaviour with each route's path
// pattern, to the given origin kind, allowing the route's method.
func checkRoutesHaveBehaviours(r *report, behaviours []behaviour, kinds map[string]string, what string, routes []string, kind string) {
	for _, route := range routes {
		pattern := routePattern(route)
		i := slices.IndexFunc(behaviours, func(b behaviour) bool { return b.Pattern == pattern })
		if i < 0 {
			r.add("%s route %q has no cache behaviour %s in template.yaml", what, route, pattern)
			continue
		}
		b := behaviours[i]
		got := kinds[b.Origin]
		if got == "" {
			continue // an unknown origin, reported already
		}
		if got != kind {
			r.add("%s serves %s route %q from %s, want %s", b, what, route, got, kind)
		}
		method, _, _ := strings.Cut(route, " ")
		if method == "ANY" && kind == originMedia {
			method = "GET"
		}
		if method == "ANY" && !slices.Equal(b.Methods, allMethods) {
			r.add("%s must allow every method (%s route %q)", b, what, route)
		} else if method != "ANY" && !slices.Contains(b.Methods, method) {
			r.add("%s does not allow %s (%s route %q)", b, method, what, route)
		}
	}
}

// checkReachable reports a behaviour that an earlier one shadows: CloudFront
// takes the first behaviour whose pattern matches.
func checkReachable(r *report, behaviours []behaviour) {
	for j, b := range behaviours {
		for _, a := range behaviours[:j] {
			prefix, wild := strings.CutSuffix(a.Pattern, "*")
			if a.Pattern == b.Pattern || (wild && !strings.ContainsAny(prefix, "*?") && strings.HasPrefix(b.Pattern, prefix)) {
				r.add("%s is unreachable: %s comes first and matches every path it does", b, a)
				break
			}
		}
	}
}

// checkBucketPolicy requires the media bucket's policy to let the
// distribution, and only it, read exactly the CDN routes' key prefixes.
func checkBucketPolicy(r *report, resources map[string]any, typeOf func(string) string, dist, bucket string, cdn []string) {
	want := map[string]bool{}
	for _, route := range cdn {
		want["${"+bucket+".Arn}"+routePattern(route)] = true // "/static/*" is the key prefix "static/"
	}
	found := false
	for id := range resources {
		if typeOf(id) != "AWS::S3::BucketPolicy" || ref(path(resources, id, "Properties", "Bucket")) != bucket {
			continue
		}
		walkStatements(path(resources, id, "Properties", "PolicyDocument"), func(st map[string]any, _ int) {
			if str(st["Effect"]) != "Allow" || str(path(st["Principal"], "Service")) != "cloudfront.amazonaws.com" {
				return
			}
			found = true
			if src := describe(path(st["Condition"], "StringEquals", "AWS:SourceArn")); !strings.Contains(src, "${"+dist+"}") {
				r.add("%s lets CloudFront read %s without the condition AWS:SourceArn = %s's ARN", id, bucket, dist)
			}
			got := map[string]bool{}
			for _, res := range strs(st["Resource"]) {
				got[res] = true
				if !want[res] {
					r.add("%s lets the distribution read %s, which is no topology.CDNRoutes path", id, res)
				}
			}
			for res := range want {
				if !got[res] {
					r.add("%s does not let the distribution read %s (a topology.CDNRoutes path)", id, res)
				}
			}
		})
	}
	if !found {
		r.add("media bucket %s has no bucket policy statement that lets %s read it", bucket, dist)
	}
}

var executeAPI = regexp.MustCompile(`^\$\{(\w+)\}\.execute-api\.`)

// originKind tells an origin's kind from its DomainName.
func originKind(o any, typeOf func(string) string) string {
	dn := path(o, "DomainName")
	if f, ok := dn.(intrinsic); ok && f.Name == "Fn::Sub" {
		if m := executeAPI.FindStringSubmatch(str(f.Arg)); m != nil && typeOf(m[1]) == "AWS::Serverless::HttpApi" {
			return originAPI
		}
	}
	res, attr := getAtt(dn)
	switch {
	case typeOf(res) == "AWS::S3::Bucket" && (attr == "RegionalDomainName" || attr == "DomainName"):
		return originMedia
	case typeOf(res) == "AWS::ElasticLoadBalancingV2::LoadBalancer" && attr == "DNSName":
		return originContainer
	}
	return ""
}

func readBehaviour(props any, pattern string) behaviour {
	methods := strs(path(props, "AllowedMethods"))
	if methods == nil {
		methods = []string{"GET", "HEAD"} // CloudFront's default
	}
	methods = slices.Clone(methods)
	slices.Sort(methods)
	return behaviour{Pattern: pattern, Origin: str(path(props, "TargetOriginId")), Methods: methods, Props: props}
}

func customHeader(origin any, name string) any {
	for _, h := range list(path(origin, "OriginCustomHeaders")) {
		if strings.EqualFold(str(path(h, "HeaderName")), name) {
			return path(h, "HeaderValue")
		}
	}
	return nil
}

// routePattern turns a route key's path into a CloudFront path pattern:
// "ANY /static/{proxy+}" becomes "/static/*", "POST /a/b" stays "/a/b".
func routePattern(route string) string {
	_, p, _ := strings.Cut(route, " ")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = "*"
		}
	}
	return strings.Join(segs, "/")
}

// underRoutes reports whether a path pattern lies within one of the
// routes' greedy prefixes.
func underRoutes(pattern string, routes []string) bool {
	for _, route := range routes {
		rp := routePattern(route)
		if prefix, ok := strings.CutSuffix(rp, "*"); ok && strings.HasPrefix(pattern, prefix) || rp == pattern {
			return true
		}
	}
	return false
}
