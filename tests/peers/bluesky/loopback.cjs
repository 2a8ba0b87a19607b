// Preloaded (node --require) before the PDS: both servers call listen(port) with no host, which
// listens on every interface; a test peer must answer on 127.0.0.1 only.
'use strict'
const net = require('node:net')

const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || typeof args[0] === 'string') {
    const host = typeof args[1] === 'string' ? [] : ['127.0.0.1']
    return listen.call(this, args[0], ...host, ...args.slice(1))
  }
  if (args[0] && typeof args[0] === 'object' && args[0].path === undefined) {
    args[0] = { ...args[0], host: '127.0.0.1' }
  }
  return listen.apply(this, args)
}
