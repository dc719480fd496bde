// The node-opcua-client side of the probe comparison (src/Drivers/OpcUa/README.md, "Performance"): subscribes N Load variables of
// server.js and prints {"items":N,"notifications":…,"per_s":…,"cpu_us_per_notification":…} measured like
// `edgeagent probe` (after 1 s of warm-up, CPU of this process over the measured seconds).
//   node client-probe.js opc.tcp://127.0.0.1:4841/UA/EdgeAgentTest --items 2000 --sampling 10 --publishing 100 --seconds 10
//        [--policy Basic256Sha256 --mode SignAndEncrypt]   (server.js --secure; the client's certificates go to --pki DIR)
"use strict";
const { OPCUAClient, AttributeIds, TimestampsToReturn, ClientMonitoredItemGroup, MessageSecurityMode, SecurityPolicy } = require("node-opcua-client");

function arg(name, fallback) {
    const i = process.argv.indexOf("--" + name);
    return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main() {
    const endpoint = process.argv[2];
    const items = parseInt(arg("items", "2000"), 10);
    const sampling = parseFloat(arg("sampling", "10"));
    const publishing = parseFloat(arg("publishing", "100"));
    const seconds = parseFloat(arg("seconds", "10"));
    const policy = arg("policy", "None");
    const mode = arg("mode", policy === "None" ? "None" : "SignAndEncrypt");
    const options = { endpointMustExist: false, securityMode: MessageSecurityMode[mode], securityPolicy: SecurityPolicy[policy] };
    if (policy !== "None") {
        const path = require("path");
        const os = require("os");
        const { OPCUACertificateManager } = require("node-opcua-certificate-manager");
        const root = arg("pki", path.join(os.tmpdir(), "edgeagent-opcua-client-probe-pki"));
        options.clientCertificateManager = new OPCUACertificateManager({ rootFolder: root, automaticallyAcceptUnknownCertificate: true });
    }
    const client = OPCUAClient.create(options);
    await client.connect(endpoint);
    const session = await client.createSession();
    const subscription = await session.createSubscription2({
        requestedPublishingInterval: publishing, requestedLifetimeCount: 150, requestedMaxKeepAliveCount: 50,
        maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 0,
    });
    const toMonitor = [];
    for (let i = 0; i < items; i++) {
        toMonitor.push({ nodeId: `ns=2;s=Load.${i}`, attributeId: AttributeIds.Value });
    }
    const group = ClientMonitoredItemGroup.create(subscription, toMonitor, { samplingInterval: sampling, queueSize: 1000, discardOldest: true }, TimestampsToReturn.Both);
    let count = 0;
    group.on("changed", () => { count++; });
    await new Promise((resolve) => group.once("initialized", resolve));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const c0 = count;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const cpu = process.cpuUsage(cpu0);
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const n = count - c0;
    const cpuUs = cpu.user + cpu.system;
    process.stdout.write(JSON.stringify({ client: "node-opcua-client", policy, mode, items, notifications: n, per_s: Math.round(n / elapsed), cpu_us_per_notification: n ? +(cpuUs / n).toFixed(3) : 0 }) + "\n");
    await subscription.terminate();
    await session.close();
    await client.disconnect();
    process.exit(0);
}

main().catch((err) => { process.stderr.write(`client-probe failed: ${err && err.stack || err}\n`); process.exit(1); });
