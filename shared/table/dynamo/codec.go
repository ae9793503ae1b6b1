package dynamo

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vidiverse/vidiverse/shared/table"
)

// Item values map to attribute values as: string S, int64 N, bool BOOL,
// []byte B, []string L of S. Empty byte slices and lists are stored as
// empty B and L values, which DynamoDB accepts.

func toAV(v any) types.AttributeValue {
	switch v := v.(type) {
	case string:
		return &types.AttributeValueMemberS{Value: v}
	case int64:
		return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
	case bool:
		return &types.AttributeValueMemberBOOL{Value: v}
	case []byte:
		return &types.AttributeValueMemberB{Value: append([]byte{}, v...)}
	case []string:
		l := make([]types.AttributeValue, len(v))
		for i, s := range v {
			l[i] = &types.AttributeValueMemberS{Value: s}
		}
		return &types.AttributeValueMemberL{Value: l}
	}
	// Values are checked before they get here.
	panic(fmt.Sprintf("dynamo: unchecked value of type %T", v))
}

func fromAV(av types.AttributeValue) (any, error) {
	switch av := av.(type) {
	case *types.AttributeValueMemberS:
		return av.Value, nil
	case *types.AttributeValueMemberN:
		n, err := strconv.ParseInt(av.Value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("number %q is not an int64", av.Value)
		}
		return n, nil
	case *types.AttributeValueMemberBOOL:
		return av.Value, nil
	case *types.AttributeValueMemberB:
		return append([]byte{}, av.Value...), nil
	case *types.AttributeValueMemberL:
		l := make([]string, len(av.Value))
		for i, e := range av.Value {
			s, ok := e.(*types.AttributeValueMemberS)
			if !ok {
				return nil, fmt.Errorf("list element of type %T", e)
			}
			l[i] = s.Value
		}
		return l, nil
	}
	return nil, fmt.Errorf("attribute value of type %T", av)
}

func toAVMap(it table.Item) map[string]types.AttributeValue {
	m := make(map[string]types.AttributeValue, len(it))
	for name, v := range it {
		m[name] = toAV(v)
	}
	return m
}

func fromAVMap(m map[string]types.AttributeValue) (table.Item, error) {
	it := make(table.Item, len(m))
	for name, av := range m {
		v, err := fromAV(av)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		it[name] = v
	}
	return it, nil
}

func keyAV(k table.Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		table.AttrPK: &types.AttributeValueMemberS{Value: k.PK},
		table.AttrSK: &types.AttributeValueMemberS{Value: k.SK},
	}
}
