// Drives headless Chromium through playwright-core for bench-p2p: each
// viewer opens the watch page in a browser context of its own (its own
// service worker, storage and WebTorrent client) after its delay, lets it
// play for its watch time, and leaves. Reads a plan (JSON) on stdin, writes
// the viewers' results (JSON) on stdout and progress lines on stderr. See
// viewers.go for the fields.
import { createRequire } from 'node:module'
import path from 'node:path'

const input = await new Promise((resolve, reject) => {
  let s = ''
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', d => { s += d })
  process.stdin.on('end', () => resolve(s))
  process.stdin.on('error', reject)
})
const plan = JSON.parse(input)
const require = createRequire(path.join(plan.modules, 'noop.js'))
const { chromium } = require('playwright-core')

// Installed in every page before its own scripts: the page's clock for the
// first frame and the stalls, and the WebRTC wire counters.
const instrument = () => {
  const b = window.__bench = {
    playing: null, // performance.now() of the first 'playing' (ms from the navigation's start)
    moving: null, // performance.now() when currentTime first passed 0
    waits: 0, // 'waiting' events after the first 'playing'
    stalledMs: 0,
    waitingSince: null,
    connections: 0, // RTCPeerConnections made
    connected: null, // performance.now() when the first one connected
    sent: 0, // data-channel bytes sent and received, all connections
    received: 0
  }
  addEventListener('playing', () => {
    const now = performance.now()
    if (b.playing === null) b.playing = now
    if (b.waitingSince !== null) {
      b.stalledMs += now - b.waitingSince
      b.waitingSince = null
    }
  }, true)
  addEventListener('waiting', () => {
    if (b.playing === null || b.waitingSince !== null) return
    b.waits++
    b.waitingSince = performance.now()
  }, true)
  addEventListener('timeupdate', e => {
    if (b.moving === null && e.target.currentTime > 0) b.moving = performance.now()
  }, true)
  const Native = window.RTCPeerConnection
  const conns = []
  if (Native) {
    window.RTCPeerConnection = class extends Native {
      constructor (...args) {
        super(...args)
        conns.push({ pc: this, sent: 0, received: 0 })
        b.connections++
        this.addEventListener('connectionstatechange', () => {
          if (b.connected === null && this.connectionState === 'connected') b.connected = performance.now()
        })
      }
    }
  }
  // A closed connection keeps the counts of its last sample (every second).
  b.sample = async () => {
    let sent = 0
    let received = 0
    for (const c of conns) {
      if (c.pc.connectionState !== 'closed') {
        try {
          let s = 0
          let r = 0
          const stats = await c.pc.getStats()
          stats.forEach(x => {
            if (x.type === 'data-channel') {
              s += x.bytesSent || 0
              r += x.bytesReceived || 0
            }
          })
          c.sent = Math.max(c.sent, s)
          c.received = Math.max(c.received, r)
        } catch {}
      }
      sent += c.sent
      received += c.received
    }
    b.sent = sent
    b.received = received
  }
  setInterval(b.sample, 1000)
}

const browser = await chromium.launch({
  executablePath: plan.chromium,
  args: [
    '--autoplay-policy=no-user-gesture-required',
    // WebRTC host candidates as IP addresses, not mDNS names nothing
    // here resolves.
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--mute-audio',
    // Every viewer plays as a foreground tab would.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows'
  ]
})

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
const began = Date.now()
const deadline = began + plan.timeoutMs
const log = s => process.stderr.write(`${s}\n`)

async function watch (v, i) {
  await sleep(v.delayMs)
  const out = { arrivedMs: Date.now() - began, leftMs: 0, watchedMs: 0, maxPeers: 0, console: [], pageErrors: [], error: '' }
  const context = await browser.newContext()
  try {
    await context.addInitScript(instrument)
    const page = await context.newPage()
    page.on('console', m => {
      if (m.type() === 'error') out.console.push(m.text().slice(0, 300))
    })
    page.on('pageerror', e => out.pageErrors.push(String(e).slice(0, 300)))
    const opened = Date.now()
    log(`viewer ${i + 1} arrives`)
    try {
      await page.goto(v.url, { waitUntil: 'commit' })
    } catch (err) {
      out.error = `open ${v.url}: ${err.message}`
    }
    const leave = Math.min(opened + v.watchMs, deadline)
    let announced = false
    while (Date.now() < leave) {
      await sleep(Math.min(500, Math.max(0, leave - Date.now())))
      try {
        const s = await page.evaluate(() => ({ peers: window.vidiverse?.peers || 0, playing: window.__bench?.playing }))
        out.maxPeers = Math.max(out.maxPeers, s.peers)
        if (!announced && s.playing !== null && s.playing !== undefined) {
          announced = true
          log(`viewer ${i + 1} first frame at ${Math.round(s.playing)} ms`)
        }
      } catch {}
    }
    out.watchedMs = Date.now() - opened
    try {
      out.page = await page.evaluate(async () => {
        const b = window.__bench
        await b.sample()
        const now = performance.now()
        const open = b.waitingSince !== null
        return {
          playing: b.playing,
          moving: b.moving,
          waits: b.waits,
          stalledMs: b.stalledMs + (open ? now - b.waitingSince : 0),
          stallOpen: open,
          connections: b.connections,
          connected: b.connected,
          sent: b.sent,
          received: b.received,
          currentTime: document.querySelector('video')?.currentTime || 0,
          state: window.vidiverse ? JSON.parse(JSON.stringify(window.vidiverse)) : null
        }
      })
    } catch (err) {
      out.error ||= `read the page: ${err.message}`
    }
  } finally {
    await context.close()
    out.leftMs = Date.now() - began
    log(`viewer ${i + 1} leaves`)
  }
  return out
}

let result
try {
  result = { viewers: await Promise.all(plan.viewers.map(watch)) }
} finally {
  await browser.close()
}
process.stdout.write(JSON.stringify(result))
