// Reads nodes of an OPC UA server with node-opcua-client, independently of EdgeAgent's own client, and prints one
// JSON line per node: {"node":"ns=2;s=Loop.Hold","value":true,"dataType":"Boolean","statusCode":"Good"}.
// The closed-loop tests use it to see what the server holds after the agent wrote, not what the agent read back.
//   node read.js opc.tcp://127.0.0.1:4841/UA/EdgeAgentTest "ns=2;s=Loop.Hold" ["ns=2;s=Loop.Setpoint" …]
//   node read.js opc.tcp://127.0.0.1:4841/UA/EdgeAgentTest      (prints "ready", then reads each node id given on
//                                                               stdin, one a line, until stdin closes)
// Exit 0 when every node was read (whatever its status), 1 when the server could not be reached.
"use strict";
const { OPCUAClient, AttributeIds, MessageSecurityMode, SecurityPolicy, DataType } = require("node-opcua-client");

async function main() {
    const [endpoint, ...nodes] = process.argv.slice(2);
    if (!endpoint) {
        throw new Error("usage: node read.js ENDPOINT [NODEID …]");
    }

    const client = OPCUAClient.create({
        endpointMustExist: false,
        securityMode: MessageSecurityMode.None,
        securityPolicy: SecurityPolicy.None,
        connectionStrategy: { maxRetry: 0 },
    });
    await client.connect(endpoint);
    try {
        const session = await client.createSession();
        const read = async (ids) => {
            const values = await session.read(ids.map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })));
            values.forEach((dv, i) => {
                const value = dv.value && dv.value.value;
                process.stdout.write(JSON.stringify({
                    node: ids[i],
                    value: typeof value === "number" || typeof value === "boolean" || typeof value === "string" ? value : null,
                    dataType: dv.value ? DataType[dv.value.dataType] : null,
                    statusCode: dv.statusCode.name,
                }) + "\n");
            });
        };
        if (nodes.length > 0) {
            await read(nodes);
        } else {
            process.stdout.write("ready\n");
            const lines = require("readline").createInterface({ input: process.stdin });
            for await (const line of lines) {
                if (line.trim().length > 0) {
                    await read([line.trim()]);
                }
            }
        }
        await session.close();
    } finally {
        await client.disconnect();
    }
}

main().catch((err) => {
    process.stderr.write(`read failed: ${err && err.message || err}\n`);
    process.exit(1);
});
