using System.Globalization;

namespace EdgeAgent.Drivers.Modbus.Tests;

/// <summary>Shares one pymodbus TCP server (started by the fixture) among the tests that do not kill it.</summary>
public sealed class PymodbusTcpFixture : IAsyncLifetime
{
    public int Port { get; } = PeerProcess.FreePort();

    public PeerProcess? Server { get; private set; }

    public async Task InitializeAsync() => Server = await PeerProcess.PymodbusTcpAsync(Port);

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

public class TcpPymodbusTests(PymodbusTcpFixture peer) : IClassFixture<PymodbusTcpFixture>
{
    private static readonly CancellationToken Ct = TestContext.Token;

    internal static ModbusTagOptions Tag(MapPoint p) => new()
    {
        Address = ModbusAddress.Parse($"{p.Table}:{p.Address}"),
        Type = Enum.Parse<ModbusDataType>(p.Type, ignoreCase: true),
        Order = Enum.Parse<WordOrder>(p.Order),
        Length = p.Length,
    };

    internal static double Expected(MapPoint p) => p.Value switch
    {
        bool b => b ? 1 : 0,
        float f => double.Parse(f.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), // the decimal the map wrote: 3.14159, not 3.141590118408203
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException(),
    };

    internal static List<TagBinding> AllTags()
    {
        var tags = new List<TagBinding>();
        foreach (var p in TestMap.Unit1)
        {
            tags.Add(new TagBinding(tags.Count, $"{p.Table}{p.Address}_{p.Type}_{p.Order}", Tag(p)));
        }

        return tags;
    }

    /// <summary>Every point of the map, in every type and word order, read through the source and checked against the map.</summary>
    internal static void AssertMapValues(IReadOnlyList<TagBinding> tags, Sample[] samples)
    {
        Assert.Equal(tags.Count, samples.Length);
        for (var i = 0; i < TestMap.Unit1.Length; i++)
        {
            var p = TestMap.Unit1[i];
            Assert.True(samples[i].Quality == Quality.Good, $"{tags[i].Name} is {samples[i].Quality}");
            if (p.Type == "string")
            {
                Assert.Equal((string)p.Value, samples[i].Text);
            }
            else
            {
                Assert.True(Expected(p) == samples[i].Value, $"{tags[i].Name}: expected {Expected(p)}, found {samples[i].Value}");
            }
        }
    }

    private ModbusSourceOptions Options(int inflight = 1) => new() { Endpoint = $"127.0.0.1:{peer.Port}", Timeout = TimeSpan.FromSeconds(2), MaxInFlight = inflight };

    [Fact]
    public async Task Reads_every_type_and_word_order_from_pymodbus_in_few_requests()
    {
        var tags = AllTags();
        await using var source = new ModbusSource("plc", Options(), tags);
        var samples = await source.ReadOnceAsync(Ct);
        AssertMapValues(tags, samples);
        // hr 0..100 in one request (≤125, gaps ≤10), hr 195, ir, coils, di: 5 requests for 46 tags.
        Assert.Equal(5, source.Plan.Count);
    }

    [Fact]
    public async Task Reads_bits_of_registers_scaled_values_and_another_unit()
    {
        var tags = new List<TagBinding>
        {
            new(0, "b0", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:90.0"), Type = ModbusDataType.Bool }),
            new(1, "b1", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:90.1"), Type = ModbusDataType.Bool }),
            new(2, "b15", new ModbusTagOptions { Address = ModbusAddress.Parse("40091.15"), Type = ModbusDataType.Bool }),
            new(3, "temp", new ModbusTagOptions { Address = ModbusAddress.Parse("40101"), Scale = 0.1, Offset = -40 }),
            new(4, "other", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:0"), UnitId = 2 }),
        };
        await using var source = new ModbusSource("plc", Options(), tags);
        var s = await source.ReadOnceAsync(Ct);
        Assert.Equal([1, 0, 1, 60, 2222], s.Select(x => x.Value));
    }

    [Fact]
    public async Task Illegal_address_marks_only_its_own_tag_bad()
    {
        var tags = new List<TagBinding>
        {
            new(0, "good", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:195") }),
            new(1, "beyond", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:199"), Type = ModbusDataType.Float32 }),
            new(2, "alsogood", new ModbusTagOptions { Address = ModbusAddress.Parse("hr:196") }),
        };
        await using var source = new ModbusSource("plc", Options(), tags);
        Assert.Single(source.Plan);
        var s = await source.ReadOnceAsync(Ct);
        Assert.Equal([Quality.Good, Quality.Bad, Quality.Good], s.Select(x => x.Quality));
        Assert.Equal(195, s[0].Value);
        Assert.Contains("IllegalDataAddress", source.TagErrors[1]);
        Assert.Equal(3, source.Plan.Count);
        Assert.Equal(SourceState.Up, source.State);
    }

    [Fact]
    public async Task Exception_response_names_unit_function_and_address()
    {
        await using var client = new ModbusClient(Options().CreateTransport());
        var e = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(1, 198, 5, Ct));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.ExceptionCode);
        Assert.Equal((byte)1, e.UnitId);
        Assert.Equal(FunctionCode.ReadHoldingRegisters, e.Function);
        Assert.Equal((ushort)198, e.Address);
        Assert.Equal($"127.0.0.1:{peer.Port}", e.Endpoint);
        Assert.Contains($"127.0.0.1:{peer.Port} unit 1 FC3 ReadHoldingRegisters address 198: exception 2 IllegalDataAddress", e.Message);
    }

    [Fact]
    public async Task Writes_with_every_write_function_and_reads_back()
    {
        await using var client = new ModbusClient(Options().CreateTransport());
        await client.WriteSingleRegisterAsync(1, 150, 0xBEEF, Ct);
        await client.WriteMultipleRegistersAsync(1, 151, [1, 2, 3], Ct);
        Assert.Equal(new ushort[] { 0xBEEF, 1, 2, 3 }, await client.ReadHoldingRegistersAsync(1, 150, 4, Ct));
        await client.WriteSingleCoilAsync(1, 10, true, Ct);
        await client.WriteMultipleCoilsAsync(1, 11, [true, false, true], Ct);
        Assert.Equal(new[] { true, true, false, true }, await client.ReadCoilsAsync(1, 10, 4, Ct));
        Assert.Equal(new[] { false, false, false, true }, await client.ReadDiscreteInputsAsync(1, 0, 4, Ct));
        Assert.Equal(7, (await client.ReadInputRegistersAsync(1, 2, 1, Ct))[0]);
    }

    [Fact]
    public async Task Pipelines_several_requests_and_matches_answers_by_transaction_id()
    {
        await using var client = new ModbusClient(Options(inflight: 4).CreateTransport());
        var reads = Enumerable.Range(0, 40).Select(i => client.ReadHoldingRegistersAsync(i % 2 == 0 ? (byte)1 : (byte)2, 0, 2, Ct)).ToArray();
        var results = await Task.WhenAll(reads);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? unchecked((ushort)(short)-1234) : (ushort)2222, results[i][0]);
        }
    }
}

internal static class TestContext
{
    public static CancellationToken Token => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;
}

/// <summary>The same map served by a second, independent implementation: the npm modbus-serial server.</summary>
public class TcpModbusSerialNpmTests
{
    [Fact]
    public async Task Reads_every_type_and_word_order_from_the_npm_modbus_serial_server()
    {
        var modules = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../peers/node_modules"));
        Assert.True(Directory.Exists(Path.Combine(modules, "modbus-serial")), $"npm modbus-serial is not installed in {modules}: run tests/peers/install.sh");
        var port = PeerProcess.FreePort();
        var node = File.Exists("/usr/bin/node") ? "/usr/bin/node" : "/usr/local/bin/node";
        await using var server = PeerProcess.StartWithEnv(node, new Dictionary<string, string> { ["PEERS_NODE_MODULES"] = modules },
            PeerProcess.Script("modbus_serial_server.js"), TestMap.WriteJson(), port.ToString());
        await server.WaitForTcpAsync(port);
        var tags = TcpPymodbusTests.AllTags();
        await using var source = new ModbusSource("plc", new ModbusSourceOptions { Endpoint = $"127.0.0.1:{port}", Timeout = TimeSpan.FromSeconds(2) }, tags);
        TcpPymodbusTests.AssertMapValues(tags, await source.ReadOnceAsync(TestContext.Token));
    }
}
