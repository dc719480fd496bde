using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace EdgeAgent.Drivers.Modbus.Tests;

/// <summary>
/// The write path against a real pymodbus server, each value checked by an independent pymodbus client that decodes the
/// registers with Python's struct module (peers/pymodbus_read.py), not with the C# codec under test.
/// </summary>
public class WritePymodbusTests(PymodbusTcpFixture peer) : IClassFixture<PymodbusTcpFixture>
{
    private static readonly CancellationToken Ct = TestContext.Token;

    private ModbusSource Source(params ModbusTagOptions[] tags) =>
        new("plc", new ModbusSourceOptions { Endpoint = $"127.0.0.1:{peer.Port}", Retries = 0 }, tags.Select((t, i) => new TagBinding(i, $"t{i}", t)).ToArray());

    private static ModbusTagOptions Tag(string address, ModbusDataType type = ModbusDataType.UInt16, WordOrder order = WordOrder.ABCD, double scale = 1, double offset = 0) =>
        new() { Address = ModbusAddress.Parse(address), Type = type, Order = order, Scale = scale, Offset = offset };

    [Fact]
    public async Task A_coil_written_1_then_0_is_read_back_by_an_independent_pymodbus_client()
    {
        await using var source = Source(Tag("coil:8", ModbusDataType.Bool));
        var tag = new TagBinding(0, "quality_hold", Tag("coil:8", ModbusDataType.Bool));

        var on = await source.WriteAsync(tag, 1, Ct);
        Assert.Equal(new WriteResult(1, true), on);
        Assert.Equal(1, (await ReadIndependentlyAsync("coil", 8, "bool", "ABCD")).GetProperty("value").GetInt32());

        var off = await source.WriteAsync(tag, 0, Ct);
        Assert.Equal(new WriteResult(0, true), off);
        Assert.Equal(0, (await ReadIndependentlyAsync("coil", 8, "bool", "ABCD")).GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task A_float32_CDAB_with_scale_and_offset_reaches_the_device_as_the_engineering_value_inverted_exactly()
    {
        var options = Tag("hr:120", ModbusDataType.Float32, WordOrder.CDAB, scale: 0.01, offset: 5);
        await using var source = Source(options);

        var result = await source.WriteAsync(new TagBinding(0, "setpoint", options), 10.3, Ct);

        Assert.True(result.Matches);
        var seen = await ReadIndependentlyAsync("hr", 120, "float32", "CDAB");
        Assert.Equal((double)(float)((10.3 - 5) / 0.01), seen.GetProperty("value").GetDouble());
        Assert.Equal(SampleValue.FromSingle((float)((10.3 - 5) / 0.01)) * 0.01 + 5, result.ReadBack, 12);
    }

    public static TheoryData<ModbusDataType, WordOrder, double> EveryTypeAndOrder()
    {
        var data = new TheoryData<ModbusDataType, WordOrder, double>();
        foreach (var order in Enum.GetValues<WordOrder>())
        {
            data.Add(ModbusDataType.Int16, order, -12345);
            data.Add(ModbusDataType.UInt16, order, 54321);
            data.Add(ModbusDataType.Int32, order, -123456789);
            data.Add(ModbusDataType.UInt32, order, 4000000000);
            data.Add(ModbusDataType.Int64, order, -1234567890123);
            data.Add(ModbusDataType.UInt64, order, 12345678901234567);
            data.Add(ModbusDataType.Float32, order, 3.14159);
            data.Add(ModbusDataType.Float64, order, 2.718281828459045);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryTypeAndOrder))]
    public async Task Every_type_and_word_order_is_written_as_pymodbus_decodes_it(ModbusDataType type, WordOrder order, double value)
    {
        // Registers above the map's points (the cases of one class run one after another).
        var slot = 130 + ((int)order * 4);
        var options = Tag($"hr:{slot}", type, order);
        await using var source = Source(options);

        var result = await source.WriteAsync(new TagBinding(0, "v", options), value, Ct);

        Assert.True(result.Matches, $"read-back {result.ReadBack} differs from {value}");
        var seen = await ReadIndependentlyAsync("hr", slot, type.ToString().ToLowerInvariant(), order.ToString());
        var expected = type == ModbusDataType.Float32 ? (double)(float)value : value;
        Assert.Equal(expected, seen.GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task A_write_to_an_address_the_device_does_not_have_fails_as_illegal_data_address_not_transient()
    {
        var options = Tag($"hr:{TestMap.HoldingRegisters + 20}");
        await using var source = Source(options);

        var e = await Assert.ThrowsAsync<ModbusException>(async () => await source.WriteAsync(new TagBinding(0, "v", options), 1, Ct));

        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, e.ExceptionCode);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public async Task A_write_to_a_device_that_is_down_fails_as_transient()
    {
        var options = Tag("hr:120");
        await using var source = new ModbusSource("plc", new ModbusSourceOptions { Endpoint = $"127.0.0.1:{PeerProcess.FreePort()}", Retries = 0 }, [new TagBinding(0, "v", options)]);

        var e = await Assert.ThrowsAsync<ModbusException>(async () => await source.WriteAsync(new TagBinding(0, "v", options), 1, Ct));

        Assert.True(e.IsTransient);
    }

    [Theory]
    [InlineData("ir:0", ModbusDataType.UInt16, "read-only table")]
    [InlineData("di:0", ModbusDataType.Bool, "read-only table")]
    public void Input_registers_and_discrete_inputs_cannot_be_written(string address, ModbusDataType type, string reason) =>
        Assert.Contains(reason, ModbusSource.WriteProblem(Tag(address, type)));

    [Theory]
    [InlineData("hr:0", ModbusDataType.UInt16, 1, 0, 65536, "does not fit uint16 [0..65535]")]
    [InlineData("hr:0", ModbusDataType.Int16, 1, 0, -32769, "does not fit int16")]
    [InlineData("hr:0", ModbusDataType.UInt16, 0.1, 0, 6553.6, "raw 65536")]
    [InlineData("coil:0", ModbusDataType.Bool, 1, 0, 2, "must be 0 or 1")]
    [InlineData("hr:0", ModbusDataType.Float32, 1, 0, double.NaN, "finite")]
    public void A_value_outside_the_type_is_refused_naming_the_range(string address, ModbusDataType type, double scale, double offset, double value, string reason) =>
        Assert.Contains(reason, ModbusSource.ValueProblem(Tag(address, type, scale: scale, offset: offset), value));

    [Theory]
    [InlineData(ModbusDataType.UInt16, 0)]
    [InlineData(ModbusDataType.UInt16, 65535)]
    [InlineData(ModbusDataType.Int16, -32768)]
    public void A_value_at_the_edge_of_the_type_fits(ModbusDataType type, double value) =>
        Assert.Null(ModbusSource.ValueProblem(Tag("hr:0", type), value));

    private Task<JsonElement> ReadIndependentlyAsync(string table, int address, string type, string order) =>
        ReadIndependentlyAsync(peer.Port, table, address, type, order);

    /// <summary>What unit 1 of the pymodbus server on <paramref name="port"/> (MBAP) holds, read by pymodbus_read.py.</summary>
    internal static async Task<JsonElement> ReadIndependentlyAsync(int port, string table, int address, string type, string order)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { PeerProcess.Script("pymodbus_read.py"), port.ToString(CultureInfo.InvariantCulture), "1", table, address.ToString(CultureInfo.InvariantCulture), type, order })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"pymodbus_read.py failed: {await error}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}
