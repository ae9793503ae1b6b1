package embedded_test

import (
	"testing"

	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

// Attribute vectors from AWS SDK samples and other SQS implementations.
func TestChecksums(t *testing.T) {
	if got := embedded.BodyMD5("hello"); got != "5d41402abc4b2a76b9719d911017c592" {
		t.Errorf("BodyMD5 = %s", got)
	}
	cases := []struct {
		name  string
		attrs map[string]embedded.Attribute
		want  string
	}{
		{"none", nil, ""},
		{"two strings", map[string]embedded.Attribute{
			"test_attribute_name_2": {DataType: "String", StringValue: "test_attribute_value_2"},
			"test_attribute_name_1": {DataType: "String", StringValue: "test_attribute_value_1"},
		}, "d53f3b558fe951154770f25cb63dbba9"},
		{"binary", map[string]embedded.Attribute{
			"test_attribute_name": {DataType: "Binary", BinaryValue: []byte("test_attribute_value")},
		}, "23f6bd27ea87aab7dfeadcc9aebee495"},
		{"one string", map[string]embedded.Attribute{
			"SellerName": {DataType: "String", StringValue: "Example Store"},
		}, "cd28f3b68aeee4b2eac9c66f2f694b58"},
		{"number and string", map[string]embedded.Attribute{
			"ordinal":  {DataType: "Number", StringValue: "1"},
			"category": {DataType: "String", StringValue: "test"},
		}, "d21ae90c49061e927f57df5f5d72be1f"},
	}
	for _, c := range cases {
		if got := embedded.AttributesMD5(c.attrs); got != c.want {
			t.Errorf("%s: AttributesMD5 = %q, want %q", c.name, got, c.want)
		}
	}
}
