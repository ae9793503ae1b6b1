package topology_test

// The network rules of the template checker: WebRTC's UDP. Only the
// seeder's WebRTC seed takes UDP from the internet, on the ephemeral ports
// the kernel hands its sockets (pion binds port 0). So a security group
// admits UDP only when it is an ECS service's, the service's task
// definition pins net.ipv4.ip_local_port_range to exactly the admitted
// range (the kernel's default could otherwise drift from the rule), and
// the group lets UDP out to every port (ICE checks go both ways). The
// other way round, a task definition that pins the range has a security
// group admitting UDP on it, or the seed is unreachable.

import (
	"sort"
	"strings"
)

// portRangeSysctl is the kernel parameter whose range the WebRTC ports
// come from.
const portRangeSysctl = "net.ipv4.ip_local_port_range"

// udpRule is one security group rule that lets UDP through.
type udpRule struct {
	from, to string // ports as written; "-1" protocol rules have none
	cidr     string
}

func (u udpRule) String() string {
	if u.from == "" && u.to == "" {
		return "every port"
	}
	return u.from + "-" + u.to
}

// udpRules returns the rules of a rule list (SecurityGroupIngress or
// SecurityGroupEgress) that let UDP through: protocol udp, 17 or -1.
func udpRules(v any) []udpRule {
	list, _ := v.([]any)
	var out []udpRule
	for _, e := range list {
		proto := strings.ToLower(str(path(e, "IpProtocol")))
		if proto != "udp" && proto != "17" && proto != "-1" {
			continue
		}
		r := udpRule{cidr: str(path(e, "CidrIp"))}
		if proto != "-1" {
			r.from, r.to = str(path(e, "FromPort")), str(path(e, "ToPort"))
		}
		out = append(out, r)
	}
	return out
}

func checkNetwork(r *report, resources map[string]any, typeOf func(string) string) {
	ingress := map[string][]udpRule{} // security group → UDP ingress
	for _, id := range sortedKeys(resources) {
		switch typeOf(id) {
		case "AWS::EC2::SecurityGroup":
			if rules := udpRules(path(resources, id, "Properties", "SecurityGroupIngress")); len(rules) > 0 {
				ingress[id] = append(ingress[id], rules...)
			}
		case "AWS::EC2::SecurityGroupIngress":
			props := path(resources, id, "Properties")
			if rules := udpRules([]any{props}); len(rules) > 0 {
				group := ref(path(props, "GroupId"))
				if g, _ := getAtt(path(props, "GroupId")); g != "" {
					group = g
				}
				ingress[group] = append(ingress[group], rules...)
			}
		}
	}

	// The ECS services' security groups and the ranges their task
	// definitions pin.
	servicesOf := map[string][]string{} // security group → services
	for _, id := range sortedKeys(resources) {
		if typeOf(id) != "AWS::ECS::Service" {
			continue
		}
		props := path(resources, id, "Properties")
		task := ref(path(props, "TaskDefinition"))
		pinned, pins := pinnedPortRange(path(resources, task, "Properties"))
		var groups []string
		list, _ := path(props, "NetworkConfiguration", "AwsvpcConfiguration", "SecurityGroups").([]any)
		for _, g := range list {
			if name := ref(g); name != "" {
				groups = append(groups, name)
			}
		}
		admitted := false
		for _, g := range groups {
			servicesOf[g] = append(servicesOf[g], id)
			for _, rule := range ingress[g] {
				switch {
				case !pins:
					r.add("%s admits UDP on %s, but the task definition %s of %s does not pin %s (the ports WebRTC binds)",
						g, rule, task, id, portRangeSysctl)
				case rule.from+" "+rule.to != pinned:
					r.add("%s admits UDP on %s, but the task definition %s of %s pins %s to %q",
						g, rule, task, id, portRangeSysctl, pinned)
				default:
					admitted = true
				}
			}
			if len(ingress[g]) > 0 && !udpEgressEverywhere(path(resources, g, "Properties")) {
				r.add("%s admits UDP but lets no UDP out to every port and address (ICE checks go both ways)", g)
			}
		}
		if pins && !admitted {
			r.add("the task definition %s pins %s to %q, but no security group of %s admits UDP on that range",
				task, portRangeSysctl, pinned, id)
		}
	}
	groups := make([]string, 0, len(ingress))
	for g := range ingress {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		if len(servicesOf[g]) == 0 {
			r.add("%s admits UDP but is no ECS service's security group (only the seeder's WebRTC seed takes UDP)", g)
		}
	}
}

// pinnedPortRange returns the value a task definition gives
// net.ipv4.ip_local_port_range ("FROM TO", spaces normalized), and whether
// one of its containers sets it.
func pinnedPortRange(taskProps any) (string, bool) {
	containers, _ := path(taskProps, "ContainerDefinitions").([]any)
	for _, c := range containers {
		controls, _ := path(c, "SystemControls").([]any)
		for _, sc := range controls {
			if str(path(sc, "Namespace")) == portRangeSysctl {
				return strings.Join(strings.Fields(str(path(sc, "Value"))), " "), true
			}
		}
	}
	return "", false
}

// udpEgressEverywhere says whether a security group lets UDP out to every
// port of every IPv4 address (a group without egress rules lets all out).
func udpEgressEverywhere(groupProps any) bool {
	egress, ok := path(groupProps, "SecurityGroupEgress").([]any)
	if !ok {
		return true
	}
	for _, rule := range udpRules(egress) {
		if rule.cidr == "0.0.0.0/0" && (rule.String() == "every port" || rule.String() == "0-65535") {
			return true
		}
	}
	return false
}
