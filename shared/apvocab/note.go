package apvocab

import (
	"encoding/json"
	"time"
)

// Note is a comment: PeerTube's (Markdown, mediaType text/markdown) or a
// Mastodon or GoToSocial reply (HTML). Article and Page objects decode to
// a Note too, their Type kept.
type Note struct {
	Context json.RawMessage
	To, CC  []string
	Type    string
	ID      string
	Content string
	// ContentMap is the content by language (Mastodon, GoToSocial).
	ContentMap map[string]string
	MediaType  string
	// InReplyTo is the video or the comment this one answers.
	InReplyTo    string
	Updated      time.Time
	Published    time.Time
	URL          string
	AttributedTo string
	// ReplyApproval (PeerTube 6.2+) is the ApproveReply that let a held
	// comment through.
	ReplyApproval string
	// Tag holds Mention and Hashtag tags.
	Tag []Link
	// Summary is a content warning; Sensitive hides the content behind it.
	Summary   string
	Sensitive bool
	Extra     map[string]json.RawMessage
	memo
}

func (n *Note) ObjectType() string { return n.Type }
func (n *Note) ObjectID() string   { return n.ID }
func (*Note) object()              {}

func (n *Note) extras() *map[string]json.RawMessage { return &n.Extra }

func (n *Note) members() []member {
	return []member{
		contextM(&n.Context),
		strsM("to", &n.To, omitNil),
		strsM("cc", &n.CC, omitNil),
		strM("type", &n.Type, always),
		strM("id", &n.ID, always),
		strM("content", &n.Content, always),
		mapM("contentMap", &n.ContentMap),
		strM("mediaType", &n.MediaType, omitEmpty),
		iriM("inReplyTo", &n.InReplyTo, omitEmpty),
		timeM("updated", &n.Updated, omitEmpty),
		timeM("published", &n.Published, omitEmpty),
		iriM("url", &n.URL, omitEmpty),
		iriM("attributedTo", &n.AttributedTo, omitEmpty),
		iriM("replyApproval", &n.ReplyApproval, omitEmpty),
		sliceM[Link]("tag", &n.Tag, always),
		strM("summary", &n.Summary, omitEmpty),
		boolM("sensitive", &n.Sensitive, omitEmpty),
	}
}

// Mentions are the IRIs of the actors the note mentions.
func (n *Note) Mentions() []string {
	var out []string
	for _, t := range n.Tag {
		if t.Type == TypeMention && t.Href != "" {
			out = append(out, t.Href)
		}
	}
	return out
}

// mapM is a language map member ({"en": "..."}).
func mapM(name string, p *map[string]string) member {
	return member{
		name: name, mode: omitEmpty,
		dec: func(raw json.RawMessage) error {
			*p = nil
			if isNull(raw) {
				return nil
			}
			return json.Unmarshal(raw, p)
		},
		enc:   func(*encoder) ([]byte, error) { return marshal(*p) },
		empty: func() bool { return len(*p) == 0 },
	}
}

// Tombstone is a deleted object (PeerTube lists deleted comments as
// Tombstones in a video's comments).
type Tombstone struct {
	Context    json.RawMessage
	To, CC     []string
	ID         string
	Type       string
	FormerType string
	InReplyTo  string
	Published  time.Time
	Updated    time.Time
	Deleted    time.Time
	URL        string
	Extra      map[string]json.RawMessage
	memo
}

func (t *Tombstone) ObjectType() string { return t.Type }
func (t *Tombstone) ObjectID() string   { return t.ID }
func (*Tombstone) object()              {}

func (t *Tombstone) extras() *map[string]json.RawMessage { return &t.Extra }

func (t *Tombstone) members() []member {
	return []member{
		contextM(&t.Context),
		strsM("to", &t.To, omitNil),
		strsM("cc", &t.CC, omitNil),
		strM("id", &t.ID, always),
		strM("type", &t.Type, always),
		strM("formerType", &t.FormerType, omitEmpty),
		iriM("inReplyTo", &t.InReplyTo, omitEmpty),
		timeM("published", &t.Published, omitEmpty),
		timeM("updated", &t.Updated, omitEmpty),
		timeM("deleted", &t.Deleted, omitEmpty),
		iriM("url", &t.URL, omitEmpty),
	}
}
