package apvocab

import "encoding/json"

// PeerTube 6.1's @context values, as its documents carry them (from
// server/core/helpers/activity-pub-utils.ts; the bytes are those of the
// captured documents).
const (
	contextBase = `["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017"}]`

	contextVideo = `["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017"},{"pt":"https://joinpeertube.org/ns#","sc":"http://schema.org/","Hashtag":"as:Hashtag","category":"sc:category","licence":"sc:license","subtitleLanguage":"sc:subtitleLanguage","sensitive":"as:sensitive","language":"sc:inLanguage","identifier":"sc:identifier","isLiveBroadcast":"sc:isLiveBroadcast","liveSaveReplay":{"@type":"sc:Boolean","@id":"pt:liveSaveReplay"},"permanentLive":{"@type":"sc:Boolean","@id":"pt:permanentLive"},"latencyMode":{"@type":"sc:Number","@id":"pt:latencyMode"},"Infohash":"pt:Infohash","tileWidth":{"@type":"sc:Number","@id":"pt:tileWidth"},"tileHeight":{"@type":"sc:Number","@id":"pt:tileHeight"},"tileDuration":{"@type":"sc:Number","@id":"pt:tileDuration"},"aspectRatio":{"@type":"sc:Float","@id":"pt:aspectRatio"},"uuid":{"@type":"sc:identifier","@id":"pt:uuid"},"originallyPublishedAt":"sc:datePublished","uploadDate":"sc:uploadDate","hasParts":"sc:hasParts","views":{"@type":"sc:Number","@id":"pt:views"},"state":{"@type":"sc:Number","@id":"pt:state"},"size":{"@type":"sc:Number","@id":"pt:size"},"fps":{"@type":"sc:Number","@id":"pt:fps"},"commentsEnabled":{"@type":"sc:Boolean","@id":"pt:commentsEnabled"},"downloadEnabled":{"@type":"sc:Boolean","@id":"pt:downloadEnabled"},"waitTranscoding":{"@type":"sc:Boolean","@id":"pt:waitTranscoding"},"support":{"@type":"sc:Text","@id":"pt:support"},"likes":{"@id":"as:likes","@type":"@id"},"dislikes":{"@id":"as:dislikes","@type":"@id"},"shares":{"@id":"as:shares","@type":"@id"},"comments":{"@id":"as:comments","@type":"@id"}}]`

	contextActor = `["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017"},{"pt":"https://joinpeertube.org/ns#","sc":"http://schema.org/","playlists":{"@id":"pt:playlists","@type":"@id"},"support":{"@type":"sc:Text","@id":"pt:support"},"lemmy":"https://join-lemmy.org/ns#","postingRestrictedToMods":"lemmy:postingRestrictedToMods","icons":"as:icon"}]`

	contextView = `["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017"},{"pt":"https://joinpeertube.org/ns#","sc":"http://schema.org/","WatchAction":"sc:WatchAction","InteractionCounter":"sc:InteractionCounter","interactionType":"sc:interactionType","userInteractionCount":"sc:userInteractionCount"}]`
)

// defaultContext is the @context PeerTube gives a document holding o: the
// Video one for a video and for a Create or Update of one, the Actor one
// for an actor and for an Update of one, the View one for a View, the base
// one otherwise.
func defaultContext(o Object) json.RawMessage {
	switch v := o.(type) {
	case *Video:
		return json.RawMessage(contextVideo)
	case *Actor:
		return json.RawMessage(contextActor)
	case *Activity:
		if v.Type == TypeView {
			return json.RawMessage(contextView)
		}
		switch v.Object.Object.(type) {
		case *Video:
			return json.RawMessage(contextVideo)
		case *Actor:
			return json.RawMessage(contextActor)
		}
	}
	return json.RawMessage(contextBase)
}

// contextM is the "@context" member: written as set, or as received.
func contextM(p *json.RawMessage) member {
	return rawM("@context", p, omitEmpty)
}

// actorContextM is an actor's "@context": PeerTube writes its actor
// context on every actor, embedded ones (in an Update) included.
func actorContextM(p *json.RawMessage) member {
	m := rawM("@context", p, omitEmpty)
	m.enc = func(*encoder) ([]byte, error) {
		if len(*p) == 0 {
			return []byte(contextActor), nil
		}
		return *p, nil
	}
	m.when = func() bool { return true }
	return m
}
