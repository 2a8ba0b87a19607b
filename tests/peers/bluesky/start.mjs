// The real Bluesky PDS with an in-memory PLC directory, for the push tests.
// Usage: node --require ./loopback.cjs start.mjs PDS_PORT DATA_DIR
// Prints one JSON line {"pds": URL, "plc": URL} once both listen; stops on SIGTERM or SIGINT.
import { randomBytes } from 'node:crypto'
import { Secp256k1Keypair } from '@atproto/crypto'
import { PDS } from '@atproto/pds'
import plcServer from '@did-plc/server'

const [port, dataDirectory] = process.argv.slice(2)
if (!port || !dataDirectory) {
  console.error('usage: start.mjs PDS_PORT DATA_DIR')
  process.exit(2)
}

const plc = plcServer.PlcServer.create({ db: plcServer.Database.mock(), port: 0 })
const plcUrl = `http://127.0.0.1:${(await plc.start()).address().port}`

const rotationKey = await Secp256k1Keypair.create({ exportable: true })
const pds = await PDS.fromEnv({
  devMode: true,
  port: Number(port),
  hostname: 'localhost',
  dataDirectory,
  blobstoreDiskLocation: `${dataDirectory}/blobs`,
  didPlcUrl: plcUrl,
  serviceHandleDomains: ['.test'],
  inviteRequired: false,
  rateLimitsEnabled: true, // the tests meet a real 429 from createSession's limit
  crawlers: [],
  jwtSecret: randomBytes(16).toString('hex'),
  adminPassword: process.env.PDS_ADMIN_PASSWORD || 'admin-pass',
  plcRotationKeyK256PrivateKeyHex: Buffer.from(await rotationKey.export()).toString('hex'),
})
await pds.start()
console.log(JSON.stringify({ pds: `http://127.0.0.1:${port}`, plc: plcUrl }))

const stop = async () => {
  await pds.destroy()
  await plc.destroy()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
