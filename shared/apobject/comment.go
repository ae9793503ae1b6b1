package apobject

import (
	"slices"
	"time"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
)

// Comment is a local comment's Note as PeerTube 6.1 writes it (video
// comment toActivityPubObject, with the audience its GET handler adds): id
// and url CommentURL(publicURL, video.UUID, c.ID); the text as Markdown;
// inReplyTo the parent comment's URL (inReplyToURL), or for a thread the
// video's (videoURL, the origin's id for a remote video); attributedTo
// authorURL, a local account; to [as:Public], cc [its followers]; and a
// Mention of each account of the thread above the comment (mentions, the
// authors of the parent comments from the thread's first down, deleted
// ones left out; PeerTube repeats an author who comments twice). The
// Create activity that sends it widens to and cc to the video's actors
// and the parents' authors; that is the caller's. A deleted comment is a
// Tombstone instead.
func Comment(publicURL string, c model.Comment, video model.Video, videoURL, authorURL, inReplyToURL string, mentions []model.Account) *apvocab.Note {
	id := CommentURL(publicURL, video.UUID, c.ID)
	if inReplyToURL == "" {
		inReplyToURL = videoURL
	}
	updated := c.UpdatedAt
	if updated.IsZero() {
		updated = c.CreatedAt
	}
	n := &apvocab.Note{
		To:           []string{apvocab.Public},
		CC:           []string{followersURL(authorURL)},
		Type:         apvocab.TypeNote,
		ID:           id,
		Content:      c.Text,
		MediaType:    mediaMarkdown,
		InReplyTo:    inReplyToURL,
		Updated:      updated,
		Published:    c.CreatedAt,
		URL:          id,
		AttributedTo: authorURL,
		Tag:          []apvocab.Link{},
	}
	for _, a := range mentions {
		n.Tag = append(n.Tag, apvocab.Link{Type: apvocab.TypeMention, Href: ActorURL(publicURL, a), Name: "@" + handle(publicURL, a)})
	}
	return n
}

// Tombstone is a deleted local comment as PeerTube 6.1 serves it while
// replies keep it in its thread: id, formerType Note, inReplyTo (as in
// Comment), published, updated and deleted, without an audience (PeerTube
// forgets a deleted comment's author). PeerTube announces the deletion
// itself with a Delete whose object is the comment's URL.
func Tombstone(publicURL string, c model.Comment, video model.Video, videoURL, inReplyToURL string) *apvocab.Tombstone {
	if inReplyToURL == "" {
		inReplyToURL = videoURL
	}
	t := &apvocab.Tombstone{
		ID:         CommentURL(publicURL, video.UUID, c.ID),
		Type:       apvocab.TypeTombstone,
		FormerType: apvocab.TypeNote,
		InReplyTo:  inReplyToURL,
		Published:  c.CreatedAt,
		Updated:    c.UpdatedAt,
	}
	if c.DeletedAt != nil {
		t.Deleted = *c.DeletedAt
	}
	if t.Updated.IsZero() {
		t.Updated = t.Deleted
	}
	return t
}

// RemoteComment is a comment read from another server's Note.
type RemoteComment struct {
	// URL is the Note's id, which PeerTube keeps as the comment's URL.
	URL string
	// InReplyTo is the video or comment it answers.
	InReplyTo string
	// AttributedTo is its author's actor id.
	AttributedTo string
	// Text is Markdown from PeerTube, HTML from Mastodon-compatible
	// servers, kept as received.
	Text      string
	Published time.Time
	// Updated is the published date when the Note has none.
	Updated time.Time
}

// maxCommentLength is PeerTube's CONSTRAINTS_FIELDS.VIDEO_COMMENTS.TEXT max.
const maxCommentLength = 10000

// FromNote reads a reply from PeerTube (Markdown content) or from Mastodon
// and GoToSocial (HTML content; contentMap's first language by name when
// content is empty), and checks it as PeerTube's
// sanitizeAndCheckVideoCommentObject and resolveThread do: a Note with a
// valid id, a url (the id when absent), content of 1 to 10000 characters,
// an inReplyTo URL, a published date, an author on the id's host, and
// as:Public in to or cc (to may be a single IRI, as GoToSocial writes it).
// Anything else gives an error wrapping ErrInvalid.
func FromNote(n *apvocab.Note) (RemoteComment, error) {
	if n == nil {
		return RemoteComment{}, invalid("Note", "", "no object")
	}
	bad := func(format string, args ...any) (RemoteComment, error) {
		return RemoteComment{}, invalid("Note", n.ID, format, args...)
	}
	if n.Type != apvocab.TypeNote {
		return bad("type %q is not Note", n.Type)
	}
	if !isAPURL(n.ID) {
		return bad("id is not an http(s) URL")
	}
	if n.URL != "" && !isAPURL(n.URL) {
		return bad("url is not an http(s) URL")
	}
	text := n.Content
	if text == "" {
		langs := make([]string, 0, len(n.ContentMap))
		for l := range n.ContentMap {
			langs = append(langs, l)
		}
		slices.Sort(langs)
		for _, l := range langs {
			if text = n.ContentMap[l]; text != "" {
				break
			}
		}
	}
	if l := runes(text); l < 1 || l > maxCommentLength {
		return bad("content has %d characters, not 1 to %d", l, maxCommentLength)
	}
	if !isAPURL(n.InReplyTo) {
		return bad("inReplyTo is not an http(s) URL")
	}
	if n.Published.IsZero() {
		return bad("no published date")
	}
	if !isAPURL(n.AttributedTo) || !sameHost(n.AttributedTo, n.ID) {
		return bad("attributedTo %q is not an actor of the comment's host", n.AttributedTo)
	}
	if !hasPublic(n.To) && !hasPublic(n.CC) {
		return bad("not public (as:Public neither in to nor in cc)")
	}
	updated := n.Updated
	if updated.IsZero() {
		updated = n.Published
	}
	return RemoteComment{
		URL: n.ID, InReplyTo: n.InReplyTo, AttributedTo: n.AttributedTo,
		Text: text, Published: n.Published, Updated: updated,
	}, nil
}
