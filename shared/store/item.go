package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vidiverse/vidiverse/shared/table"
)

// docItem encodes a domain value as a table item: its key, a type tag, the
// value as a JSON document and a revision for optimistic concurrency. The
// index attributes are added by the caller.
func docItem(k table.Key, typ string, v any, ver int64) (table.Item, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", typ, k.PK, err)
	}
	return table.Item{
		table.AttrPK: k.PK,
		table.AttrSK: k.SK,
		attrType:     typ,
		attrDoc:      string(doc),
		attrVer:      ver,
	}, nil
}

// listedItem is docItem for a value listed in the kind index (users,
// accounts, channels), in creation order.
func listedItem(k table.Key, typ, kind string, v any, ver int64, created time.Time, id int64) (table.Item, error) {
	it, err := docItem(k, typ, v, ver)
	if err != nil {
		return nil, err
	}
	it[attrGSI1PK], it[attrGSI1SK] = kind, createdSK(created, id)
	return it, nil
}

// decodeDoc decodes an item's document into v and returns its revision.
func decodeDoc(it table.Item, v any) (int64, error) {
	if err := json.Unmarshal([]byte(it.String(attrDoc)), v); err != nil {
		return 0, fmt.Errorf("decode %s: %w", it.Key().PK, err)
	}
	return it.Int(attrVer), nil
}

// uniqueItem claims a unique name for the item at ref.
func uniqueItem(k table.Key, ref table.Key) table.Item {
	return table.Item{table.AttrPK: k.PK, table.AttrSK: k.SK, attrType: "unique", attrRef: ref.PK}
}
