package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/table"
)

// Schema is the table's shape: the two sparse GSIs every access pattern
// uses and the TTL attribute. template.yaml declares the same.
var Schema = table.Schema{
	Indexes: []table.Index{
		{Name: IndexByKind, PK: attrGSI1PK, SK: attrGSI1SK},
		{Name: IndexByOwner, PK: attrGSI2PK, SK: attrGSI2SK},
	},
	TTLAttribute: attrTTL,
}

// Index names.
const (
	// IndexByKind lists every item of one kind (users, accounts, channels)
	// in creation order.
	IndexByKind = "gsi1"
	// IndexByOwner is for listing one owner's items in an order other than
	// their keys' (a channel's videos by date, later).
	IndexByOwner = "gsi2"
)

// Attribute names.
const (
	attrGSI1PK = "gsi1pk"
	attrGSI1SK = "gsi1sk"
	attrGSI2PK = "gsi2pk"
	attrGSI2SK = "gsi2sk"
	attrTTL    = "ttl"
	attrType   = "type"
	attrDoc    = "doc"
	attrVer    = "ver"
	attrRef    = "ref"
	attrCount  = "n"
	// attrChannels counts an account's channels, on the account item.
	attrChannels = "channels"
)

// Sort keys of single-item partitions.
const (
	skItem   = "ITEM"
	skUnique = "UNIQUE"
)

// Partitions of the kind index.
const (
	kindUsers    = "USERS"
	kindAccounts = "ACCOUNTS"
	kindChannels = "CHANNELS"
)

func userKey(id int64) table.Key    { return table.Key{PK: fmt.Sprintf("USER#%d", id), SK: skItem} }
func accountKey(id int64) table.Key { return table.Key{PK: fmt.Sprintf("ACCOUNT#%d", id), SK: skItem} }
func channelKey(id int64) table.Key { return table.Key{PK: fmt.Sprintf("CHANNEL#%d", id), SK: skItem} }

// Uniqueness items: one per taken username, email and local actor name.
// Local accounts and channels share one actor-name namespace, as in
// PeerTube; names compare case-insensitively.
func usernameKey(name string) table.Key {
	return table.Key{PK: "USERNAME#" + strings.ToLower(name), SK: skUnique}
}
func emailKey(email string) table.Key {
	return table.Key{PK: "EMAIL#" + strings.ToLower(email), SK: skUnique}
}
func actorNameKey(name string) table.Key {
	return table.Key{PK: "ACTORNAME#" + strings.ToLower(name), SK: skUnique}
}

func counterKey(kind string) table.Key { return table.Key{PK: "COUNTER", SK: kind} }

func oauthClientKey() table.Key { return table.Key{PK: "OAUTHCLIENT", SK: "LOCAL"} }

func accessTokenKey(hash string) table.Key  { return table.Key{PK: "TOKEN#" + hash, SK: skItem} }
func refreshTokenKey(hash string) table.Key { return table.Key{PK: "REFRESH#" + hash, SK: skItem} }

// Membership items live in the owner's partition, so listing an owner's
// items is a strongly consistent query of the table (an index query is
// only eventually consistent on DynamoDB).
const (
	skChannelPrefix = "CHANNEL#"
	skTokenPrefix   = "TOKEN#"
)

func accountChannelKey(accountID, channelID int64) table.Key {
	return table.Key{PK: accountKey(accountID).PK, SK: fmt.Sprintf("%s%020d", skChannelPrefix, channelID)}
}

func userTokenKey(userID int64, accessHash string) table.Key {
	return table.Key{PK: userKey(userID).PK, SK: skTokenPrefix + accessHash}
}

func rateKey(bucket, subject string, window int64) table.Key {
	return table.Key{PK: "RATE#" + bucket + "#" + subject, SK: fmt.Sprintf("%020d", window)}
}

// createdSK orders items by creation time, then id.
func createdSK(t time.Time, id int64) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z") + fmt.Sprintf("#%020d", id)
}
