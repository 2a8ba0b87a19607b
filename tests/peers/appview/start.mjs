// The real Bluesky network for the metrics tests: @atproto/dev-env's TestNetwork, a PLC directory,
// a PDS and the bsky AppView (with bsync and ozone) in this one process, on PostgreSQL.
// Usage: node --dns-result-order=ipv4first --require ../bluesky/loopback.cjs start.mjs \
//          POSTGRES_URL SCHEMA
// Prints one JSON line {"pds", "appview", "plc", "control"} (URLs) once everything listens.
// The control endpoint answers POST /process-all once the AppView has indexed every event so far
// (network.processAll()), so that a test reads settled counts. Stops on SIGTERM or SIGINT.
import http from 'node:http'
import { TestNetwork } from '@atproto/dev-env'

const [dbPostgresUrl, dbPostgresSchema] = process.argv.slice(2)
if (!dbPostgresUrl || !dbPostgresSchema) {
  console.error('usage: start.mjs POSTGRES_URL SCHEMA')
  process.exit(2)
}
// This version only checks that a Redis host is named; with no Redis answering it works alone.
process.env.REDIS_HOST ||= '127.0.0.1:6379'

const network = await TestNetwork.create({ dbPostgresUrl, dbPostgresSchema })

// One request at a time: processAll() is not meant to run twice at once.
let queue = Promise.resolve()
const control = http.createServer((request, response) => {
  const answer = (status, body) => {
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body))
  }
  if (request.method !== 'POST' || request.url !== '/process-all') {
    answer(404, { error: 'NotFound', message: 'POST /process-all is the only call' })
    return
  }
  queue = queue.then(
    () => network.processAll().then(
      () => answer(200, { processed: true }),
      (error) => answer(500, { error: 'ProcessAllFailed', message: String(error) }),
    ),
  )
})
await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve))

const local = (url) => url.replace('//localhost:', '//127.0.0.1:')
console.log(
  JSON.stringify({
    pds: local(network.pds.url),
    appview: local(network.bsky.url),
    plc: local(network.plc.url),
    control: `http://127.0.0.1:${control.address().port}`,
  }),
)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  control.close()
  try {
    await network.close()
  } catch (error) {
    console.error(`stopping the network: ${error}`)
    process.exit(1)
  }
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
