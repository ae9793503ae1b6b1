// The watch and embed pages' player: WebTorrent in the browser, peers
// first, the server as the fallback. See shared/web/doc.go.

const root = document.getElementById('player')
const video = root.querySelector('video')
const messageEl = root.querySelector('.message')
const indicator = root.querySelector('.p2p')
const params = new URLSearchParams(location.search)
const embed = root.dataset.embed === '1'
const assetsPath = root.dataset.assets
const scopePath = root.dataset.scope

// Web seed policy (seconds and milliseconds).
const PEER_WAIT_MS = 2000 // no peer after this: ask the server
const STARTUP_WAIT_MS = 4000 // peers but no frame after this: ask the server
const LOW_AHEAD_S = 5 // less held ahead of the playhead: ask the server
const HIGH_AHEAD_S = 20 // peers hold this much ahead: drop the server
const HTTP_FALLBACK_MS = 15000 // no frame at all over P2P: play over HTTP
const READY_TIMEOUT_MS = 10000 // the torrent did not start: play over HTTP

// status is the player's state: the indicator shows it, tests read it.
const status = window.vidiverse = {
  mode: 'loading', // p2p, http, hls or error
  peers: 0, // WebRTC peers connected
  fromPeers: 0, // bytes received from peers
  fromServer: 0, // bytes received from the web seed
  webSeed: false, // the web seed is in use now
  webSeedAdds: 0,
  webSeedAllowed: params.get('webseed') !== '0',
  fallback: '', // why the player left P2P
  started: false, // a frame has played
  currentTime: 0,
  viewsSent: 0,
  viewStatus: 0, // HTTP status of the last view report
  error: ''
}

let client = null // the WebTorrent client, while playing over P2P

function show (text) {
  messageEl.textContent = text
  messageEl.hidden = !text
}

function fail (text) {
  status.mode = 'error'
  status.error = text
  show(text)
  render()
}

function mb (n) {
  return (n / 1e6).toFixed(n < 1e7 ? 2 : 1) + ' MB'
}

function render () {
  status.currentTime = video.currentTime
  switch (status.mode) {
    case 'p2p':
      indicator.textContent = `P2P · ${status.peers} peer${status.peers === 1 ? '' : 's'} · ` +
        `${mb(status.fromPeers)} from peers · ${mb(status.fromServer)} from server` +
        (status.webSeed ? ' (server helping)' : '')
      break
    case 'http':
    case 'hls':
      indicator.textContent = `Playing from the server (${status.mode === 'hls' ? 'HLS' : 'HTTP'})` +
        (status.fallback ? ` · ${status.fallback}` : '')
      break
    case 'error':
      indicator.textContent = ''
      break
  }
}

async function getJSON (url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
  if (!res.ok) {
    const err = new Error(`${url}: HTTP ${res.status}`)
    err.status = res.status
    throw err
  }
  return res.json()
}

// pickFile chooses the largest file at or under the wanted height, from the
// web videos or else the HLS playlist's fragmented MP4s.
function pickFile (v) {
  const want = Number(params.get('resolution')) || 720
  let files = (v.files || []).filter(f => f.fileUrl)
  if (!files.length && v.streamingPlaylists?.length) {
    files = (v.streamingPlaylists[0].files || []).filter(f => f.fileUrl)
  }
  files.sort((a, b) => b.resolution.id - a.resolution.id)
  return files.find(f => f.resolution.id > 0 && f.resolution.id <= want) || files[files.length - 1]
}

function startTime () {
  return Math.max(0, Math.floor(Number(params.get('start')) || 0))
}

async function autoplay () {
  const on = params.has('autoplay') ? params.get('autoplay') !== '0' : !embed
  if (!on) return
  try {
    await video.play()
  } catch (err) {
    if (err.name !== 'NotAllowedError') return
    video.muted = true // browsers allow muted autoplay
    try { await video.play() } catch {}
  }
}

// reportViews tells the server what is watched, as PeerTube's player does:
// on the first play, every interval while the position moves (a seek
// marks the next report), and at the end.
function reportViews (uuid, intervalMs) {
  const url = `/api/v1/videos/${encodeURIComponent(uuid)}/views`
  let sessionId = sessionStorage.getItem('vidiverse-session')
  if (!sessionId) {
    sessionId = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('')
    sessionStorage.setItem('vidiverse-session', sessionId)
  }
  const start = startTime()
  let last = start
  let viewEvent
  let ended = false
  let initialSeek = start > 0
  const send = currentTime => {
    const body = { currentTime, sessionId }
    if (viewEvent) body.viewEvent = viewEvent
    status.viewsSent++
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json; charset=UTF-8' },
      body: JSON.stringify(body)
    }).then(res => { status.viewStatus = res.status }, () => { status.viewStatus = -1 })
  }
  video.addEventListener('play', () => send(start), { once: true })
  video.addEventListener('seeked', () => {
    if (initialSeek) {
      initialSeek = false
      return
    }
    const diff = Math.floor(video.currentTime) - last
    if (diff > 0 && diff < 3) return // small steps forward are not seeks
    viewEvent = 'seek'
  })
  video.addEventListener('ended', () => {
    ended = true
    last = Math.floor(video.duration)
    send(last)
    viewEvent = undefined
  }, { once: true })
  setInterval(() => {
    if (ended) return
    const t = Math.floor(video.currentTime)
    if (t === last) return
    last = t
    send(t)
    viewEvent = undefined
  }, intervalMs)
}

// playHTTP plays from the server: native HLS where the browser has it,
// else the file itself.
function playHTTP (v, file, reason) {
  status.fallback = reason || ''
  const hls = v.streamingPlaylists?.[0]?.playlistUrl
  if (hls && video.canPlayType('application/vnd.apple.mpegurl')) {
    status.mode = 'hls'
    video.src = hls
  } else {
    status.mode = 'http'
    video.src = file.fileUrl
  }
  render()
  autoplay()
}

// controlled resolves once the service worker controls the page.
function controlled () {
  if (navigator.serviceWorker.controller) return Promise.resolve()
  return new Promise((resolve, reject) => {
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true })
    setTimeout(() => reject(new Error('the service worker did not take control')), 5000)
  })
}

// secondsAhead is how much playback time the torrent holds from the
// playhead on, from its pieces (the media element buffers less).
function secondsAhead (torrent, duration) {
  if (!torrent.bitfield || !duration) return 0
  const bytesPerSecond = torrent.length / duration
  const pos = Math.floor(video.currentTime * bytesPerSecond)
  let i = Math.floor(pos / torrent.pieceLength)
  while (i < torrent.pieces.length && torrent.bitfield.get(i)) i++
  return Math.max(0, (i * torrent.pieceLength - pos) / bytesPerSecond)
}

async function playP2P (v, file) {
  const { default: WebTorrent } = await import(assetsPath + 'webtorrent.min.js')
  const reg = await navigator.serviceWorker.register(assetsPath + 'sw.min.js', { scope: scopePath })
  await navigator.serviceWorker.ready
  await controlled()

  const res = await fetch(file.torrentUrl)
  if (!res.ok) throw new Error(`the torrent answered HTTP ${res.status}`)
  const torrentFile = new Uint8Array(await res.arrayBuffer())

  client = new WebTorrent({ webSeeds: false })
  client.createServer({ controller: reg })
  const announce = (v.trackerUrls || []).filter(u => /^wss?:\/\//.test(u))
  const torrent = client.add(torrentFile, { announce, maxWebConns: 1 })
  status.mode = 'p2p'
  render()

  torrent.on('wire', wire => {
    const fromServer = wire.type === 'webSeed'
    wire.on('download', n => {
      if (fromServer) status.fromServer += n
      else status.fromPeers += n
    })
  })
  await new Promise((resolve, reject) => {
    torrent.once('ready', resolve)
    torrent.once('error', reject)
    client.once('error', reject)
    setTimeout(() => reject(new Error('the torrent did not start')), READY_TIMEOUT_MS)
  })

  const seedURL = torrent.urlList?.[0] || file.fileUrl
  const began = Date.now()
  let stalled = false
  const addWebSeed = () => {
    if (status.webSeed || !status.webSeedAllowed || !seedURL || torrent.done) return
    torrent.addWebSeed(seedURL)
    status.webSeed = true
    status.webSeedAdds++
  }
  const dropWebSeed = () => {
    if (!status.webSeed) return
    torrent.removePeer(seedURL)
    status.webSeed = false
  }
  video.addEventListener('waiting', () => {
    if (status.started) {
      stalled = true
      addWebSeed()
    }
  })
  video.addEventListener('playing', () => { stalled = false })

  const timer = setInterval(() => {
    status.peers = torrent.wires.filter(w => w.type !== 'webSeed').length
    const ahead = secondsAhead(torrent, v.duration || video.duration)
    const waited = Date.now() - began
    if (torrent.done) {
      dropWebSeed()
    } else if (!status.started) {
      if (waited > (status.peers ? STARTUP_WAIT_MS : PEER_WAIT_MS)) addWebSeed()
    } else if (stalled || ahead < LOW_AHEAD_S) {
      addWebSeed()
    } else if (status.peers > 0 && ahead > HIGH_AHEAD_S) {
      dropWebSeed()
    }
    if (!status.started && status.webSeedAllowed && waited > HTTP_FALLBACK_MS) {
      clearInterval(timer)
      client.destroy()
      client = null
      playHTTP(v, file, 'nothing played over P2P')
    }
  }, 250)

  torrent.files[0].streamTo(video)
  if (startTime()) video.addEventListener('loadedmetadata', () => { video.currentTime = startTime() }, { once: true })
  autoplay()
}

// p2pUnavailable says why the file cannot be played over P2P here, if so.
function p2pUnavailable (file) {
  if (params.get('p2p') === '0' || params.get('p2p') === 'false') return 'P2P is off'
  if (!file.torrentUrl) return 'no torrent'
  if (root.dataset.webtorrent !== '1') return 'no WebTorrent here'
  if (!window.isSecureContext || !('serviceWorker' in navigator)) return 'no service worker (HTTPS is needed)'
  if (typeof RTCPeerConnection !== 'function') return 'no WebRTC'
  return ''
}

async function main () {
  const uuid = root.dataset.video
  let v, config
  try {
    [v, config] = await Promise.all([
      getJSON(`/api/v1/videos/${encodeURIComponent(uuid)}`),
      getJSON('/api/v1/config').catch(() => null)
    ])
  } catch (err) {
    if (err.status === 404) return fail('This video does not exist.')
    if (err.status === 401 || err.status === 403) return fail('This video is private.')
    return fail(`The video could not be loaded (${err.message}).`)
  }
  document.title = v.name
  const title = root.querySelector('.title')
  if (title) title.textContent = v.name
  const description = root.querySelector('.description')
  if (description && v.description) description.textContent = v.description
  if (v.previewPath) video.poster = v.previewPath
  if (params.get('muted') === '1') video.muted = true

  const file = pickFile(v)
  if (!file) {
    return fail(v.state?.id === 1 ? 'This video has no playable file.' : 'This video is being processed. Come back in a moment.')
  }
  video.addEventListener('playing', () => { status.started = true })
  video.addEventListener('error', () => {
    status.error = `media error ${video.error?.code}: ${video.error?.message || ''}`
  })
  reportViews(v.uuid, config?.views?.videos?.watchingInterval?.anonymous || 5000)
  setInterval(render, 500)

  const why = p2pUnavailable(file)
  if (why) {
    if (!status.webSeedAllowed) return fail(`Peers only, but ${why}.`)
    return playHTTP(v, file, why)
  }
  try {
    await playP2P(v, file)
  } catch (err) {
    client?.destroy()
    client = null
    if (!status.webSeedAllowed) return fail(`P2P failed: ${err.message}`)
    playHTTP(v, file, `P2P failed: ${err.message}`)
  }
}

main()
