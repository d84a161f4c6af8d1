/**
 * The load generator's process (forked by the runner): runs autocannon programmatically, one
 * job at a time, so the client never shares an event loop with anything it measures.
 */

import autocannon from 'autocannon';

/**
 * autocannon 9 answers a response by writing the next request at once, even when the server
 * has just closed the connection (Connection: close, MaxKeepAliveRequests reached). That
 * request is never answered, but it stays in the client's queue, so every later response on
 * the new connection is timed from an older request and latencies grow without bound. Drop
 * the queue on every (re)connect: the lost request is neither counted nor timed.
 */
function setupClient(client) {
  const connect = client._connect;
  client._connect = function reconnect() {
    this.pipelinedRequests.clear();
    return connect.call(this);
  };
}

function summary(r) {
  return {
    total: r.requests.total,
    duration: r.duration,
    rps: r.duration > 0 ? r.requests.total / r.duration : 0,
    latency: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    resets: r.resets,
  };
}

process.on('message', (job) => {
  if (job?.t === 'exit') return process.exit(0);
  if (job?.t !== 'run') return;
  autocannon({ ...job.options, setupClient }).then(
    (r) => process.send({ t: 'result', seq: job.seq, result: summary(r) }),
    (err) => process.send({ t: 'result', seq: job.seq, error: err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send({ t: 'ready', version: (await import('autocannon/package.json', { with: { type: 'json' } })).default.version });
