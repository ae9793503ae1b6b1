package apvocab

import "encoding/json"

// memo holds how a decoded value was written (see source) and, for an
// object, how deep it is embedded in the decoded document.
type memo struct {
	src   *source
	level int
}

func (m *memo) source() **source { return &m.src }

// Link is an ActivityStreams Link as PeerTube and Mastodon write them: a
// Video's url[] entries (web-video files, their metadata, torrents and
// magnets, the HLS playlist, trackers), the links and Infohash tags nested
// in an HLS playlist's tag[], a storyboard's url[], and tags (Hashtag,
// Mention, SensitiveTag, Infohash), which have the same shape.
type Link struct {
	Type      string
	Name      string
	Rel       []string
	MediaType string
	Href      string
	Height    int
	Width     int
	Size      int64
	FPS       float64
	// Storyboard tiles (PeerTube's preview[] links).
	TileWidth, TileHeight int
	TileDuration          int64 // seconds
	// Tag, on an HLS playlist link: its Infohash tags, the segments'
	// sha256 link and its fragmented files' links.
	Tag []Link
	// Attachment, on a file link (PeerTube 6.3+): ffprobe_codec_type and
	// peertube_format_flag.
	Attachment []PropertyValue
	Extra      map[string]json.RawMessage
	memo
}

func (l *Link) extras() *map[string]json.RawMessage { return &l.Extra }

func (l *Link) members() []member {
	typ := strM("type", &l.Type, omitEmpty)
	name := strM("name", &l.Name, omitEmpty)
	rel := strsM("rel", &l.Rel, omitEmpty)
	mediaType := strM("mediaType", &l.MediaType, omitEmpty)
	href := strM("href", &l.Href, omitEmpty)
	height := intM("height", &l.Height, omitEmpty)
	width := intM("width", &l.Width, omitEmpty)
	size := int64M("size", &l.Size, omitEmpty)
	fps := floatM("fps", &l.FPS, omitEmpty)
	tileWidth := intM("tileWidth", &l.TileWidth, omitEmpty)
	tileHeight := intM("tileHeight", &l.TileHeight, omitEmpty)
	tileDuration := durationM("tileDuration", &l.TileDuration, omitEmpty)
	tag := sliceM[Link]("tag", &l.Tag, omitEmpty)
	attachment := sliceM[PropertyValue]("attachment", &l.Attachment, omitEmpty)
	switch {
	case l.Type == TypeMention:
		return []member{typ, href, name, rel, mediaType, height, width, size, fps,
			tileWidth, tileHeight, tileDuration, tag, attachment}
	case l.TileWidth != 0 || l.TileHeight != 0 || l.TileDuration != 0:
		return []member{typ, name, rel, mediaType, href, width, height,
			tileWidth, tileHeight, tileDuration, size, fps, tag, attachment}
	}
	return []member{typ, name, rel, mediaType, href, height, width, size, fps,
		tileWidth, tileHeight, tileDuration, tag, attachment}
}

// Infohashes are the names of a link's Infohash tags (an HLS playlist's
// P2P infohashes).
func (l *Link) Infohashes() []string {
	var out []string
	for _, t := range l.Tag {
		if t.Type == TypeInfohash {
			out = append(out, t.Name)
		}
	}
	return out
}

// PropertyValue is a schema.org name/value pair.
type PropertyValue struct {
	Type  string
	Name  string
	Value string
	Extra map[string]json.RawMessage
	memo
}

func (p *PropertyValue) extras() *map[string]json.RawMessage { return &p.Extra }

func (p *PropertyValue) members() []member {
	return []member{
		strM("type", &p.Type, omitEmpty),
		strM("name", &p.Name, omitEmpty),
		strM("value", &p.Value, omitEmpty),
	}
}

// Image is an icon, avatar, banner, thumbnail or storyboard.
type Image struct {
	Type string
	Rel  []string
	// URL is the image's address; a storyboard has URLs instead.
	URL       string
	URLs      []Link
	MediaType string
	Width     int
	Height    int
	Extra     map[string]json.RawMessage
	memo
}

func (i *Image) extras() *map[string]json.RawMessage { return &i.Extra }

func (i *Image) members() []member {
	return []member{
		strM("type", &i.Type, omitEmpty),
		strsM("rel", &i.Rel, omitEmpty),
		urlM(&i.URL, &i.URLs),
		strM("mediaType", &i.MediaType, omitEmpty),
		intM("width", &i.Width, omitEmpty),
		intM("height", &i.Height, omitEmpty),
	}
}

// urlM is a "url" member holding either one address or a list of links.
func urlM(url *string, links *[]Link) member {
	list := sliceM[Link]("url", links, omitEmpty)
	one := strM("url", url, omitEmpty)
	return member{
		name: "url", mode: omitEmpty,
		dec: func(raw json.RawMessage) error {
			if kind(raw) == '"' || isNull(raw) {
				*links = nil
				return one.dec(raw)
			}
			*url = ""
			return list.dec(raw)
		},
		enc: func(e *encoder) ([]byte, error) {
			if *links != nil {
				return list.enc(e)
			}
			return one.enc(e)
		},
		empty: func() bool { return *url == "" && len(*links) == 0 },
	}
}

// Identifier is PeerTube's {identifier, name} pair (category, licence,
// language).
type Identifier struct {
	Identifier string
	Name       string
	Extra      map[string]json.RawMessage
	memo
}

func (i *Identifier) extras() *map[string]json.RawMessage { return &i.Extra }

func (i *Identifier) members() []member {
	return []member{
		strM("identifier", &i.Identifier, omitEmpty),
		strM("name", &i.Name, omitEmpty),
	}
}

// Caption is one subtitleLanguage entry of a Video.
type Caption struct {
	Identifier string
	Name       string
	// URL is the caption file (PeerTube 6.1); later versions write URLs
	// (the VTT file and an HLS playlist).
	URL                    string
	URLs                   []Link
	AutomaticallyGenerated bool
	Extra                  map[string]json.RawMessage
	memo
}

func (c *Caption) extras() *map[string]json.RawMessage { return &c.Extra }

func (c *Caption) members() []member {
	return []member{
		strM("identifier", &c.Identifier, omitEmpty),
		strM("name", &c.Name, omitEmpty),
		urlM(&c.URL, &c.URLs),
		boolM("automaticallyGenerated", &c.AutomaticallyGenerated, omitEmpty),
	}
}

// PublicKey is an actor's key (security/v1).
type PublicKey struct {
	ID           string
	Owner        string
	PublicKeyPem string
	Extra        map[string]json.RawMessage
	memo
}

func (k *PublicKey) extras() *map[string]json.RawMessage { return &k.Extra }

func (k *PublicKey) members() []member {
	return []member{
		strM("id", &k.ID, omitEmpty),
		iriM("owner", &k.Owner, omitEmpty),
		strM("publicKeyPem", &k.PublicKeyPem, omitEmpty),
	}
}

// Endpoints is an actor's endpoints member.
type Endpoints struct {
	SharedInbox string
	Extra       map[string]json.RawMessage
	memo
}

func (p *Endpoints) extras() *map[string]json.RawMessage { return &p.Extra }

func (p *Endpoints) members() []member {
	return []member{iriM("sharedInbox", &p.SharedInbox, omitEmpty)}
}

// InteractionCounter is a View's result: PeerTube's live viewer count.
type InteractionCounter struct {
	Type                 string
	InteractionType      string
	UserInteractionCount int64
	Extra                map[string]json.RawMessage
	memo
}

func (c *InteractionCounter) extras() *map[string]json.RawMessage { return &c.Extra }

func (c *InteractionCounter) members() []member {
	return []member{
		strM("type", &c.Type, omitEmpty),
		strM("interactionType", &c.InteractionType, omitEmpty),
		int64M("userInteractionCount", &c.UserInteractionCount, always),
	}
}
