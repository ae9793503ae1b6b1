package taxonomy

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// IDLabel is PeerTube's VideoConstant<number>, e.g. {"id":1,"label":"Public"}.
type IDLabel struct {
	ID    int    `json:"id"`
	Label string `json:"label"`
}

// OptIDLabel is a VideoConstant<number> whose id may be null, as for the
// category and licence of a video that has none: {"id":null,"label":"Unknown"}.
type OptIDLabel struct {
	ID    *int   `json:"id"`
	Label string `json:"label"`
}

// LangLabel is PeerTube's VideoConstant<string> for languages, e.g.
// {"id":"en","label":"English"}; the id is null when the video has none.
type LangLabel struct {
	ID    *string `json:"id"`
	Label string  `json:"label"`
}

// Table is an ordered numeric id→label table. It marshals as a JSON object
// whose keys are the decimal ids, in table order (PeerTube's order).
type Table []IDLabel

// Label returns the label of id.
func (t Table) Label(id int) (string, bool) {
	for _, e := range t {
		if e.ID == id {
			return e.Label, true
		}
	}
	return "", false
}

// IDs returns the ids in table order.
func (t Table) IDs() []int {
	ids := make([]int, len(t))
	for i, e := range t {
		ids[i] = e.ID
	}
	return ids
}

// MarshalJSON writes the table as a JSON object in table order, without
// HTML escaping (PeerTube sends "News & Politics", not "News \u0026 Politics").
// Write these bytes as the response body to reproduce PeerTube's bytes;
// json.Marshal of a value holding a Table escapes <, > and & again, which is
// equal JSON but not equal bytes.
func (t Table) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range t {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strconv.Itoa(e.ID))
		b.WriteString(`":`)
		if err := writeString(&b, e.Label); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Lang is one entry of the language table.
type Lang struct {
	Code  string
	Label string
}

// LangTable is an ordered language code→label table. It marshals as a JSON
// object in table order, which is PeerTube's order (not sorted by code).
type LangTable []Lang

// Label returns the label of the language code.
func (t LangTable) Label(code string) (string, bool) {
	for _, e := range t {
		if e.Code == code {
			return e.Label, true
		}
	}
	return "", false
}

// Codes returns the language codes in table order.
func (t LangTable) Codes() []string {
	codes := make([]string, len(t))
	for i, e := range t {
		codes[i] = e.Code
	}
	return codes
}

// MarshalJSON writes the table as a JSON object in table order, without
// HTML escaping (see Table.MarshalJSON).
func (t LangTable) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range t {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeString(&b, e.Code); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := writeString(&b, e.Label); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeString appends s as a JSON string without HTML escaping.
func writeString(b *bytes.Buffer, s string) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode ends with a newline
	return nil
}
