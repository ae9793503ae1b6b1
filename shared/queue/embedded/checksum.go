package embedded

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strings"
)

// BodyMD5 is the hex MD5 of a message body, as SQS reports it in
// MD5OfMessageBody and Lambda in md5OfBody.
func BodyMD5(body string) string {
	sum := md5.Sum([]byte(body))
	return hex.EncodeToString(sum[:])
}

// AttributesMD5 is SQS's MD5OfMessageAttributes: for each attribute in
// name order, the name, the data type, a transport byte (1 for String and
// Number, 2 for Binary) and the value, each string preceded by its length
// as a 4-byte big-endian integer. It is "" when there are no attributes.
func AttributesMD5(attrs map[string]Attribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	h := md5.New()
	writeLen := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, name := range names {
		a := attrs[name]
		writeLen([]byte(name))
		writeLen([]byte(a.DataType))
		if strings.HasPrefix(a.DataType, "Binary") {
			h.Write([]byte{2})
			writeLen(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			writeLen([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
