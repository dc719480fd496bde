// OPC UA test server for EdgeAgent's own OPC UA client (tests/Drivers.Tests/OpcUa, bench/OpcUa.Benchmarks).
// The address space belongs to the tests: change it together with them.
//
//   node server.js [--port 4841] [--load N] [--load-interval MS] [--big N] [--fast-interval MS]
//                  [--secure] [--cert FILE --key FILE] [--pki DIR]
//
// --secure offers every security policy (None, Basic128Rsa15, Basic256, Basic256Sha256, Aes128_Sha256_RsaOaep,
// Aes256_Sha256_RsaPss) in modes Sign and SignAndEncrypt beside None; without it the server offers None only.
// --cert/--key give the server certificate (PEM; the tests make expired or wrong-host ones); without them
// node-opcua creates its own in the PKI folder. Client and user certificates are accepted automatically.
//
// Prints "ready <port>" on stdout once it listens. Stops on SIGTERM/SIGINT or when stdin closes.
"use strict";
const path = require("path");
const os = require("os");
const fs = require("fs");
const { OPCUAServer } = require("node-opcua-server");
const { Variant, DataType, VariantArrayType } = require("node-opcua-variant");
const { StatusCodes } = require("node-opcua-status-code");
const { MessageSecurityMode, SecurityPolicy } = require("node-opcua-secure-channel");

function arg(name, fallback) {
    const i = process.argv.indexOf("--" + name);
    return i >= 0 ? process.argv[i + 1] : fallback;
}

const port = parseInt(arg("port", "4841"), 10);
const loadCount = parseInt(arg("load", "0"), 10);
const loadInterval = parseInt(arg("load-interval", "10"), 10);
const bigCount = parseInt(arg("big", "10050"), 10);
const fastInterval = parseInt(arg("fast-interval", "20"), 10);
const secure = process.argv.includes("--secure");
const certificateFile = arg("cert", undefined);
const privateKeyFile = arg("key", undefined);
// Certificates are created on first start (~20 s); keep them between runs.
const pkiRoot = arg("pki", path.join(os.tmpdir(), "edgeagent-opcua-test-pki"));
fs.mkdirSync(pkiRoot, { recursive: true });

// Test runs start several servers at once (xunit runs collections and assemblies in parallel): the first start
// creates the certificates in pkiRoot, so creation is serialised with a lock directory (stale after 2 minutes).
async function withPkiLock(fn) {
    const lock = path.join(pkiRoot, ".lock");
    for (;;) {
        try {
            fs.mkdirSync(lock);
            break;
        } catch (err) {
            if (err.code !== "EEXIST") throw err;
            try {
                if (Date.now() - fs.statSync(lock).mtimeMs > 120000) fs.rmdirSync(lock);
            } catch (_) { /* released meanwhile */ }
            await new Promise((resolve) => setTimeout(resolve, 200));
        }
    }
    try {
        return await fn();
    } finally {
        try { fs.rmdirSync(lock); } catch (_) { /* already gone */ }
    }
}

async function main() {
    const server = await withPkiLock(createServer);
    await populate(server);
}

async function createServer() {
    const { OPCUACertificateManager } = require("node-opcua-certificate-manager");
    const serverCertificateManager = new OPCUACertificateManager({ rootFolder: path.join(pkiRoot, "pki"), automaticallyAcceptUnknownCertificate: true });
    const userCertificateManager = new OPCUACertificateManager({ rootFolder: path.join(pkiRoot, "user-pki"), automaticallyAcceptUnknownCertificate: true });
    await userCertificateManager.initialize();
    const server = new OPCUAServer({
        port,
        resourcePath: "/UA/EdgeAgentTest",
        serverCertificateManager,
        userCertificateManager,
        ...(certificateFile ? { certificateFile, privateKeyFile } : {}),
        securityModes: secure ? [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt] : [MessageSecurityMode.None],
        securityPolicies: secure
            ? [SecurityPolicy.None, SecurityPolicy.Basic128Rsa15, SecurityPolicy.Basic256, SecurityPolicy.Basic256Sha256,
                SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss]
            : [SecurityPolicy.None],
        allowAnonymous: true,
        userManager: {
            isValidUser: (user, password) => user === "edge" && password === "secret",
        },
        maxConnectionsPerEndpoint: 50,
        // maxSessions: a shared test server sees many clients come and go (a killed one holds its session until it times out).
        serverCapabilities: { maxBrowseContinuationPoints: 10, minSupportedSampleRate: 0, maxSessions: 100 },
        buildInfo: { productName: "EdgeAgentTestServer", buildNumber: "1", buildDate: new Date(2024, 0, 1) },
        ...(arg("application-uri", undefined) ? { serverInfo: { applicationUri: arg("application-uri", undefined) } } : {}),
    });
    await server.initialize();
    return server;
}

async function populate(server) {
    // node-opcua does not pass allowUnsecurePassword through to its endpoints: offer a user name token policy
    // without encryption on the None endpoint so the client's clear-text (loopback) login can be tested.
    const { UserTokenType, UserTokenPolicy } = require("node-opcua-types");
    for (const endpoint of server.endpoints) {
        for (const description of endpoint.endpointDescriptions()) {
            if (description.securityMode !== MessageSecurityMode.None) continue;
            description.userIdentityTokens.push(new UserTokenPolicy({ policyId: "username_unsecure", tokenType: UserTokenType.UserName, securityPolicyUri: null }));
        }
    }

    const addressSpace = server.engine.addressSpace;
    const ns = addressSpace.registerNamespace("urn:edgeagent:test");
    const ns2 = addressSpace.registerNamespace("urn:edgeagent:second");
    const objects = addressSpace.rootFolder.objects;

    const demo = ns.addFolder(objects, { browseName: "Demo", nodeId: "s=Demo" });
    const scalars = [
        ["Boolean", DataType.Boolean, true],
        ["SByte", DataType.SByte, -5],
        ["Byte", DataType.Byte, 200],
        ["Int16", DataType.Int16, -1234],
        ["UInt16", DataType.UInt16, 54321],
        ["Int32", DataType.Int32, -123456],
        ["UInt32", DataType.UInt32, 3000000000],
        ["Int64", DataType.Int64, [0xFFFFFFFF, 0xFFFFFF85]], // -123 as [high, low]
        ["UInt64", DataType.UInt64, [1, 2]], // 4294967298
        ["Float", DataType.Float, 3.5],
        ["FloatDecimal", DataType.Float, 10.3], // widened to double it is 10.300000190734863: clients must show 10.3
        ["Double", DataType.Double, 10.01],
        ["String", DataType.String, "héllo wörld"],
        ["DateTime", DataType.DateTime, new Date(Date.UTC(2024, 4, 1, 12, 0, 0))],
        ["Guid", DataType.Guid, "09087E75-8E5E-499B-954F-F2A9603DB28A"],
        ["ByteString", DataType.ByteString, Buffer.from([1, 2, 3, 4])],
        ["XmlElement", DataType.XmlElement, "<a>1</a>"],
        ["NodeId", DataType.NodeId, require("node-opcua-nodeid").resolveNodeId("ns=2;s=Demo.Double")],
        ["StatusCode", DataType.StatusCode, StatusCodes.UncertainLastUsableValue],
        ["QualifiedName", DataType.QualifiedName, { namespaceIndex: 2, name: "Bore" }],
        ["LocalizedText", DataType.LocalizedText, { locale: "en", text: "Bore diameter" }],
    ];
    for (const [name, dataType, value] of scalars) {
        ns.addVariable({
            componentOf: demo, browseName: name, nodeId: "s=Demo." + name, dataType,
            value: new Variant({ dataType, arrayType: VariantArrayType.Scalar, value }),
        });
    }

    const arrays = [
        ["DoubleArray", DataType.Double, new Float64Array([1.5, 2.5, 3.5])],
        ["Int32Array", DataType.Int32, new Int32Array([1, -2, 3])],
        ["StringArray", DataType.String, ["a", "b", "c"]],
        ["BooleanArray", DataType.Boolean, [true, false]],
    ];
    for (const [name, dataType, value] of arrays) {
        ns.addVariable({
            componentOf: demo, browseName: name, nodeId: "s=Demo." + name, dataType, valueRank: 1, arrayDimensions: [value.length],
            value: new Variant({ dataType, arrayType: VariantArrayType.Array, value }),
        });
    }

    ns.addVariable({ componentOf: demo, browseName: "Numeric", nodeId: "i=1001", dataType: DataType.Int32, value: new Variant({ dataType: DataType.Int32, value: 1001 }) });
    ns.addVariable({ componentOf: demo, browseName: "ByGuid", nodeId: "g=5BC5B0B1-4A13-4F63-B5D3-0AA3A0A4B6C7", dataType: DataType.Double, value: new Variant({ dataType: DataType.Double, value: 7.25 }) });
    ns.addVariable({ componentOf: demo, browseName: "Opaque", nodeId: "b=AQIDBA==", dataType: DataType.Double, value: new Variant({ dataType: DataType.Double, value: 8.5 }) });
    ns.addVariable({
        componentOf: demo, browseName: "Writable", nodeId: "s=Demo.Writable", dataType: DataType.Double,
        accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
        value: new Variant({ dataType: DataType.Double, value: 0 }),
    });
    const bad = ns.addVariable({ componentOf: demo, browseName: "Bad", nodeId: "s=Demo.Bad", dataType: DataType.Double,
        value: new Variant({ dataType: DataType.Double, value: 0 }) });
    bad.setValueFromSource(new Variant({ dataType: DataType.Double, value: 0 }), StatusCodes.BadOutOfService);
    ns2.addVariable({ componentOf: demo, browseName: "SecondValue", nodeId: "s=Second.Value", dataType: DataType.Double, value: new Variant({ dataType: DataType.Double, value: 42.5 }) });

    // The closed loop's targets (the agent's writes): each test writes its own nodes, so parallel tests do not meet.
    // Hold*/Setpoint* take any write; the others refuse it the way real servers do.
    const loop = ns.addFolder(objects, { browseName: "Loop", nodeId: "s=Loop" });
    const writable = "CurrentRead | CurrentWrite";
    for (const suffix of ["", "2", "3", "4"]) {
        ns.addVariable({ componentOf: loop, browseName: "Hold" + suffix, nodeId: "s=Loop.Hold" + suffix, dataType: DataType.Boolean,
            accessLevel: writable, userAccessLevel: writable, value: new Variant({ dataType: DataType.Boolean, value: false }) });
        ns.addVariable({ componentOf: loop, browseName: "Setpoint" + suffix, nodeId: "s=Loop.Setpoint" + suffix, dataType: DataType.Double,
            accessLevel: writable, userAccessLevel: writable, value: new Variant({ dataType: DataType.Double, value: 0 }) });
    }
    ns.addVariable({ componentOf: loop, browseName: "Int16", nodeId: "s=Loop.Int16", dataType: DataType.Int16,
        accessLevel: writable, userAccessLevel: writable, value: new Variant({ dataType: DataType.Int16, value: 0 }) });
    ns.addVariable({ componentOf: loop, browseName: "Float", nodeId: "s=Loop.Float", dataType: DataType.Float,
        accessLevel: writable, userAccessLevel: writable, value: new Variant({ dataType: DataType.Float, value: 0 }) });
    ns.addVariable({ componentOf: loop, browseName: "Text", nodeId: "s=Loop.Text", dataType: DataType.String,
        accessLevel: writable, userAccessLevel: writable, value: new Variant({ dataType: DataType.String, value: "idle" }) });
    // BadNotWritable: the variable's AccessLevel has no CurrentWrite.
    ns.addVariable({ componentOf: loop, browseName: "ReadOnly", nodeId: "s=Loop.ReadOnly", dataType: DataType.Double,
        accessLevel: "CurrentRead", userAccessLevel: "CurrentRead", value: new Variant({ dataType: DataType.Double, value: 1.5 }) });
    // BadUserAccessDenied: writable, but not by this (anonymous) user.
    ns.addVariable({ componentOf: loop, browseName: "Denied", nodeId: "s=Loop.Denied", dataType: DataType.Double,
        accessLevel: writable, userAccessLevel: "CurrentRead", value: new Variant({ dataType: DataType.Double, value: 2.5 }) });
    // BadTypeMismatch: declared Int32 but its value reads as a Double, so a write in the value's type is refused.
    ns.addVariable({ componentOf: loop, browseName: "Mismatch", nodeId: "s=Loop.Mismatch", dataType: DataType.Int32,
        accessLevel: writable, userAccessLevel: writable,
        value: {
            get: () => new Variant({ dataType: DataType.Double, value: 3.5 }),
            set: () => StatusCodes.Good,
        } });

    // A counter changing every fastInterval ms: consecutive values let tests count what they missed.
    let fast = 0;
    const fastVar = ns.addVariable({ componentOf: demo, browseName: "Fast", nodeId: "s=Demo.Fast", dataType: DataType.Double,
        minimumSamplingInterval: 0, value: new Variant({ dataType: DataType.Double, value: 0 }) });
    setInterval(() => {
        fast += 1;
        fastVar.setValueFromSource(new Variant({ dataType: DataType.Double, value: fast }));
    }, fastInterval);

    // More children than the server returns in one Browse (node-opcua caps references per node at 9876).
    const big = ns.addFolder(objects, { browseName: "Big", nodeId: "s=Big" });
    for (let i = 0; i < bigCount; i++) {
        ns.addObject({ organizedBy: big, browseName: "Item" + i, nodeId: "s=Big." + i });
    }

    // Load: N Double variables changing every loadInterval ms (the probe and the benchmarks).
    if (loadCount > 0) {
        const load = ns.addFolder(objects, { browseName: "Load", nodeId: "s=Load" });
        const vars = [];
        for (let i = 0; i < loadCount; i++) {
            vars.push(ns.addVariable({ componentOf: load, browseName: "L" + i, nodeId: "s=Load." + i, dataType: DataType.Double,
                minimumSamplingInterval: 0, value: new Variant({ dataType: DataType.Double, value: 0 }) }));
        }
        let tick = 0;
        setInterval(() => {
            tick += 1;
            for (const v of vars) {
                v.setValueFromSource(new Variant({ dataType: DataType.Double, value: tick }));
            }
        }, loadInterval);
    }

    await server.start();
    process.stdout.write(`ready ${server.endpoints[0].port}\n`);

    const stop = async () => {
        try { await server.shutdown(0); } finally { process.exit(0); }
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    process.stdin.on("end", stop);
    process.stdin.resume();
}

main().catch((err) => {
    process.stderr.write(`opcua test server failed: ${err && err.stack || err}\n`);
    process.exit(1);
});
