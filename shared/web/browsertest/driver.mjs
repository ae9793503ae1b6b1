// Drives headless Chromium through playwright-core for shared/web's
// browser tests. Reads a plan (JSON) on stdin, writes the result (JSON) on
// stdout. See browsertest.go for the fields.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
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

let tracker = null
if (plan.trackerPort) {
  // bittorrent-tracker's own server: the reference WebSocket tracker.
  const mod = await import(pathToFileURL(path.join(plan.modules, 'bittorrent-tracker', 'server.js')).href)
  tracker = new mod.default({ udp: false, http: false, ws: true, stats: false })
  await new Promise((resolve, reject) => {
    tracker.once('error', reject)
    tracker.listen(plan.trackerPort, '127.0.0.1', resolve)
  })
}

const browser = await chromium.launch({
  executablePath: plan.chromium,
  args: [
    '--autoplay-policy=no-user-gesture-required',
    // WebRTC host candidates as IP addresses, not mDNS names nothing
    // here resolves.
    '--disable-features=WebRtcHideLocalIpsWithMdns'
  ]
})

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
const began = Date.now()
const deadline = began + plan.timeoutMs

async function runTab (tab) {
  await sleep(tab.delayMs || 0)
  // A context per tab: its own service worker and storage, as another viewer.
  const context = await browser.newContext()
  const page = await context.newPage()
  const out = { url: tab.url, done: false, ms: 0, console: [], pageErrors: [], requests: {} }
  page.on('console', m => {
    if (m.type() === 'error' || m.type() === 'warning') out.console.push(`${m.type()}: ${m.text()} (${m.location()?.url || ''})`)
  })
  page.on('pageerror', e => out.pageErrors.push(String(e)))
  context.on('requestfinished', async req => {
    const u = new URL(req.url())
    const key = `${req.method()} ${u.pathname}`
    const r = out.requests[key] || (out.requests[key] = { count: 0, bytes: 0 })
    r.count++
    try { r.bytes += (await req.sizes()).responseBodySize } catch {}
  })
  const opened = Date.now()
  await page.goto(tab.url)
  // The tab's condition, then each further step: run its statement, wait
  // for its condition.
  const steps = [{ until: tab.until }, ...(tab.then || [])]
  out.done = true
  for (const step of steps) {
    if (step.do) await page.evaluate(`(() => { ${step.do} })()`)
    const until = `(() => { try { return !!(${step.until || 'true'}) } catch { return false } })()`
    let met = false
    while (Date.now() < deadline) {
      if ((met = await page.evaluate(until))) break
      await sleep(200)
    }
    if (!met) {
      out.done = false
      break
    }
  }
  out.ms = Date.now() - opened
  out.state = await page.evaluate(`(() => { const s = window.vidiverse; return s ? JSON.parse(JSON.stringify(s)) : null })()`)
  return { out, context }
}

let result
try {
  const tabs = await Promise.all(plan.tabs.map(runTab))
  result = { tabs: tabs.map(t => t.out) }
  for (const t of tabs) await t.context.close()
} finally {
  await browser.close()
  if (tracker) await new Promise(resolve => tracker.close(resolve))
}
process.stdout.write(JSON.stringify(result))
