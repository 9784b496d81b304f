// MLLP test peer in enhanced acknowledgement mode for wardwatch's HL7
// export (tests/t_export_ca.sh): Medplum's Hl7Server (@medplum/hl7), which
// in enhanced mode answers every message with a commit ACK (MSA-1 CA) as it
// arrives; for every odd-numbered message this handler then sends the
// application's own ACK (AA) too, late — a sender must have settled the
// message on the CA and must ignore the AA (its MSA-2 names a message no
// longer in flight); even-numbered ones get the CA alone, so a sender that
// waited for an AA would time out and send them again.
//
//   node mllp_peer.js PORTFILE LOGFILE
//
// Every message received is logged as "N CONTROLID TYPE"; the whole
// message goes to LOGFILE.msgs (segments one a line, a blank line after).
'use strict';
const fs = require('fs');
const { Hl7Server } = require('@medplum/hl7');

const [portFile, logFile] = process.argv.slice(2);
let n = 0;

const server = new Hl7Server((connection) => {
  connection.addEventListener('message', (ev) => {
    const msg = ev.message;
    const msh = msg.getSegment('MSH');
    n++;
    fs.appendFileSync(logFile, `${n} ${msh.getField(10).toString()} ${msh.getField(9).toString()}\n`);
    fs.appendFileSync(logFile + '.msgs', msg.toString().replace(/\r/g, '\n').replace(/\n+$/, '') + '\n\n');
    // the application's ACK, after the library's commit ACK (odd ones only)
    if (n % 2 === 0) return;
    setTimeout(() => {
      if (!connection.isClosed()) connection.send(msg.buildAck({ ackCode: 'AA' }));
    }, 50);
  });
  // a connection reset by a stopping sender: not a message
  connection.addEventListener('error', (ev) => fs.appendFileSync(logFile + '.err', `${ev.error}\n`));
});
server.start(0, 'utf-8', true);
server.server.on('listening', () => {
  fs.writeFileSync(portFile, String(server.server.address().port));
});
process.on('SIGTERM', () => process.exit(0));
