package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vidiverse/vidiverse/shared/table"
)

// keyAttrs returns the key attributes of a query's index (or of the table).
func (t *Table) keyAttrs(index string) (pk, sk string) {
	if ix, ok := t.schema.IndexByName(index); ok && index != "" {
		return ix.PK, ix.SK
	}
	return table.AttrPK, table.AttrSK
}

// queryInput builds the request for a checked query, projecting the named
// attributes or all. Index reads cannot be strongly consistent in
// DynamoDB; table reads are.
func (t *Table) queryInput(q table.Query, projection ...string) *dynamodb.QueryInput {
	pkAttr, skAttr := t.keyAttrs(q.Index)
	e := newExpr()
	kc := e.name(pkAttr) + " = " + e.value(q.PK)
	if q.SKOp != table.SKAny {
		sk := e.name(skAttr)
		switch q.SKOp {
		case table.SKEqual:
			kc += " AND " + sk + " = " + e.value(q.SK)
		case table.SKBeginsWith:
			kc += " AND begins_with(" + sk + ", " + e.value(q.SK) + ")"
		case table.SKBetween:
			kc += " AND " + sk + " BETWEEN " + e.value(q.SK) + " AND " + e.value(q.SK2)
		case table.SKLess:
			kc += " AND " + sk + " < " + e.value(q.SK)
		case table.SKLessEqual:
			kc += " AND " + sk + " <= " + e.value(q.SK)
		case table.SKGreater:
			kc += " AND " + sk + " > " + e.value(q.SK)
		case table.SKGreaterEqual:
			kc += " AND " + sk + " >= " + e.value(q.SK)
		}
	}
	var proj []string
	for _, name := range projection {
		proj = append(proj, e.name(name))
	}
	in := &dynamodb.QueryInput{
		TableName:                 t.name,
		KeyConditionExpression:    &kc,
		ProjectionExpression:      ptr(strings.Join(proj, ", ")),
		ExpressionAttributeNames:  e.attrNames(),
		ExpressionAttributeValues: e.attrValues(),
		ScanIndexForward:          aws.Bool(!q.Reverse),
	}
	if q.Index != "" {
		in.IndexName = aws.String(q.Index)
	} else {
		in.ConsistentRead = aws.Bool(true)
	}
	return in
}

// Query reads one page of a partition of the table or of an index.
//
// Expired items are filtered out here, after DynamoDB's Limit applied, so
// with a limit it keeps reading until it has Limit live items and one more
// (to know whether there is a next page), or reaches the end; the cursor
// then points at the last item returned. Without a limit a page is one
// DynamoDB page (up to 1 MB) of live items.
func (t *Table) Query(ctx context.Context, q table.Query) (table.Page, error) {
	q, start, err := t.checkQuery(ctx, q)
	if err != nil {
		return table.Page{}, fmt.Errorf("query %q: %w", q.PK, err)
	}
	in := t.queryInput(q)
	in.ExclusiveStartKey = start
	now := t.now()
	var page table.Page
	for {
		if q.Limit > 0 {
			in.Limit = aws.Int32(int32(min(q.Limit-len(page.Items)+1, 1<<20)))
		}
		out, err := t.client.Query(ctx, in)
		if err != nil {
			return table.Page{}, fmt.Errorf("query %q: %w", q.PK, mapErr(err))
		}
		for _, m := range out.Items {
			it, err := t.decode(m, now)
			if err != nil {
				return table.Page{}, fmt.Errorf("query %q: %w", q.PK, err)
			}
			if it == nil {
				continue
			}
			if q.Limit > 0 && len(page.Items) == q.Limit {
				page.Next = t.cursorAt(q.Index, page.Items[len(page.Items)-1])
				return page, nil
			}
			page.Items = append(page.Items, it)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return page, nil
		}
		if q.Limit == 0 && len(page.Items) > 0 {
			page.Next = encodeCursor(q.Index, out.LastEvaluatedKey)
			return page, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// Count counts the live items a query would return, reading only their
// keys and TTLs.
func (t *Table) Count(ctx context.Context, q table.Query) (int, error) {
	q.Cursor, q.Limit = "", 0
	q, _, err := t.checkQuery(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("count %q: %w", q.PK, err)
	}
	projection := []string{table.AttrPK}
	if t.schema.TTLAttribute != "" {
		projection = append(projection, t.schema.TTLAttribute)
	}
	in := t.queryInput(q, projection...)
	now := t.now()
	n := 0
	for {
		out, err := t.client.Query(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("count %q: %w", q.PK, mapErr(err))
		}
		for _, m := range out.Items {
			if !t.storedExpired(m, now) {
				n++
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func (t *Table) checkQuery(ctx context.Context, q table.Query) (table.Query, map[string]types.AttributeValue, error) {
	q, err := t.schema.CheckQuery(q)
	if err != nil {
		return q, nil, err
	}
	var start map[string]types.AttributeValue
	if q.Cursor != "" {
		if start, err = t.decodeCursor(q); err != nil {
			return q, nil, err
		}
	}
	return q, start, ctx.Err()
}

// A cursor is base64url of JSON {"i": index, "k": {attribute: value}}, the
// string key attributes of the last item read.
type cursor struct {
	Index string            `json:"i,omitempty"`
	Key   map[string]string `json:"k"`
}

func encodeCursor(index string, key map[string]types.AttributeValue) string {
	c := cursor{Index: index, Key: map[string]string{}}
	for name, av := range key {
		if s, ok := av.(*types.AttributeValueMemberS); ok {
			c.Key[name] = s.Value
		}
	}
	b, _ := json.Marshal(c) // a map of strings always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// cursorAt makes the cursor that continues after item it.
func (t *Table) cursorAt(index string, it table.Item) string {
	key := keyAV(it.Key())
	if index != "" {
		pk, sk := t.keyAttrs(index)
		key[pk] = toAV(it.String(pk))
		if sk != "" {
			key[sk] = toAV(it.String(sk))
		}
	}
	return encodeCursor(index, key)
}

// decodeCursor returns the ExclusiveStartKey of a cursor made by a query
// of the same index and partition.
func (t *Table) decodeCursor(q table.Query) (map[string]types.AttributeValue, error) {
	b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: malformed cursor", table.ErrInvalid)
	}
	if c.Index != q.Index {
		return nil, fmt.Errorf("%w: cursor of another index", table.ErrInvalid)
	}
	want := []string{table.AttrPK, table.AttrSK}
	pk, sk := t.keyAttrs(q.Index)
	if q.Index != "" {
		want = append(want, pk)
		if sk != "" {
			want = append(want, sk)
		}
	}
	if len(c.Key) != len(dedupe(want)) {
		return nil, fmt.Errorf("%w: malformed cursor", table.ErrInvalid)
	}
	key := make(map[string]types.AttributeValue, len(want))
	for _, name := range want {
		v, ok := c.Key[name]
		if !ok || v == "" {
			return nil, fmt.Errorf("%w: malformed cursor", table.ErrInvalid)
		}
		key[name] = toAV(v)
	}
	if c.Key[pk] != q.PK {
		return nil, fmt.Errorf("%w: cursor of another partition", table.ErrInvalid)
	}
	return key, nil
}

func dedupe(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
