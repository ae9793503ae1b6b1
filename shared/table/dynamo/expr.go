package dynamo

import (
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vidiverse/vidiverse/shared/table"
)

// expr collects the placeholders of one request's expressions. DynamoDB
// refuses unused placeholders, so they are made only when used.
type expr struct {
	names  map[string]string
	values map[string]types.AttributeValue
	byName map[string]string
}

func newExpr() *expr {
	return &expr{names: map[string]string{}, values: map[string]types.AttributeValue{}, byName: map[string]string{}}
}

// name returns the placeholder of an attribute name.
func (e *expr) name(attr string) string {
	if p, ok := e.byName[attr]; ok {
		return p
	}
	p := "#n" + strconv.Itoa(len(e.names))
	e.names[p] = attr
	e.byName[attr] = p
	return p
}

// value returns a placeholder for a value.
func (e *expr) value(v any) string {
	p := ":v" + strconv.Itoa(len(e.values))
	e.values[p] = toAV(v)
	return p
}

// attrNames and attrValues return the maps for a request, nil when empty.
func (e *expr) attrNames() map[string]string {
	if len(e.names) == 0 {
		return nil
	}
	return e.names
}

func (e *expr) attrValues() map[string]types.AttributeValue {
	if len(e.values) == 0 {
		return nil
	}
	return e.values
}

// conds renders clauses ANDed together, "" when there are none.
func (e *expr) conds(conds []table.Cond) string {
	parts := make([]string, len(conds))
	for i, c := range conds {
		a := e.name(c.Attr)
		switch c.Op {
		case table.OpExists:
			parts[i] = "attribute_exists(" + a + ")"
		case table.OpNotExists:
			parts[i] = "attribute_not_exists(" + a + ")"
		case table.OpEqual:
			parts[i] = a + " = " + e.value(c.Value)
		case table.OpLess:
			parts[i] = a + " < " + e.value(c.Value)
		case table.OpLessEqual:
			parts[i] = a + " <= " + e.value(c.Value)
		case table.OpGreater:
			parts[i] = a + " > " + e.value(c.Value)
		case table.OpGreaterEqual:
			parts[i] = a + " >= " + e.value(c.Value)
		}
	}
	return strings.Join(parts, " AND ")
}

// notExpired renders "the item has no TTL or it is after now"; it also
// holds on an absent item.
func (e *expr) notExpired(ttlAttr string, now int64) string {
	a := e.name(ttlAttr)
	return "(attribute_not_exists(" + a + ") OR " + a + " > " + e.value(now) + ")"
}

// expired renders "the item's TTL is at or before now".
func (e *expr) expired(ttlAttr string, now int64) string {
	return e.name(ttlAttr) + " <= " + e.value(now)
}

// liveCondition renders conds so that they are evaluated on the live item:
// an expired item counts as absent. When the conditions hold on an absent
// item, an expired item satisfies them whatever its attributes; otherwise
// an expired item fails them. It returns "" when there is nothing to check.
func (e *expr) liveCondition(s table.Schema, conds []table.Cond, now int64) string {
	if len(conds) == 0 {
		return ""
	}
	c := e.conds(conds)
	if s.TTLAttribute == "" {
		return c
	}
	if table.Match(nil, conds) {
		return "(" + c + ") OR " + e.expired(s.TTLAttribute, now)
	}
	return e.notExpired(s.TTLAttribute, now) + " AND (" + c + ")"
}

// updateCondition renders the condition of an update: conds on the stored
// item, and the item must not be expired (an expired item is deleted first
// and the update retried, so that it starts from an empty item).
func (e *expr) updateCondition(s table.Schema, conds []table.Cond, now int64) string {
	c := e.conds(conds)
	if s.TTLAttribute == "" {
		return c
	}
	if c == "" {
		return e.notExpired(s.TTLAttribute, now)
	}
	return e.notExpired(s.TTLAttribute, now) + " AND (" + c + ")"
}

// update renders an update expression.
func (e *expr) update(u table.Update) string {
	var b strings.Builder
	clause := func(keyword string, parts []string) {
		if len(parts) == 0 {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(keyword + " " + strings.Join(parts, ", "))
	}
	var set, add, remove []string
	for _, name := range sortedKeys(u.Set) {
		set = append(set, e.name(name)+" = "+e.value(u.Set[name]))
	}
	for _, name := range sortedKeys(u.Add) {
		add = append(add, e.name(name)+" "+e.value(u.Add[name]))
	}
	for _, name := range u.Remove {
		remove = append(remove, e.name(name))
	}
	clause("SET", set)
	clause("ADD", add)
	clause("REMOVE", remove)
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ptr returns nil for "", else a pointer to s.
func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
