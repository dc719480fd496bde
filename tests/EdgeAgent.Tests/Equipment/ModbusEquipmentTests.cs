using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeAgent.Pipeline;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Equipment;

/// <summary>End to end through a real Modbus peer (pymodbus, installed by tests/peers/install.sh): a register changes, the status follows.</summary>
public class ModbusEquipmentTests
{
    private const string Python = "/usr/bin/python3";

    private sealed class Machine : IAsyncDisposable
    {
        private readonly Process _process;
        private bool _disposed;

        private Machine(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static async Task<Machine> StartAsync([System.Runtime.CompilerServices.CallerFilePath] string here = "")
        {
            // The peer script sits beside this test's source (a deterministic build maps the path back; then use the copy in the output).
            var script = Path.Combine(Path.GetDirectoryName(here) ?? ".", "peers", "machine.py");
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); !File.Exists(script) && dir is not null; dir = dir.Parent)
            {
                script = Path.Combine(dir.FullName, "tests", "EdgeAgent.Tests", "Equipment", "peers", "machine.py");
            }

            if (!File.Exists(Python) || !File.Exists(script))
            {
                throw new InvalidOperationException($"Modbus peer missing: need {Python} with python3-pymodbus (tests/peers/install.sh) and {script}");
            }

            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var process = Process.Start(new ProcessStartInfo(Python, [script, port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var machine = new Machine(process, port);
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line != "ready")
            {
                var error = await process.StandardError.ReadToEndAsync();
                throw new InvalidOperationException($"the pymodbus peer did not start (is python3-pymodbus installed? tests/peers/install.sh): {line} {error}");
            }

            return machine;
        }

        public async Task SetAsync(int register, int value)
        {
            await _process.StandardInput.WriteLineAsync($"{register} {value}");
            await _process.StandardInput.FlushAsync();
            var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal($"ok {register} {value}", line);
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }

    private static EquipmentStatusEvent[] Status(CaptureSink sink) => sink.Events.OfType<EquipmentStatusEvent>().ToArray();

    [Fact]
    public async Task A_register_change_on_a_real_modbus_peer_changes_the_equipment_state()
    {
        await using var machine = await Machine.StartAsync();
        var yaml = $$"""
            agent: { id: e2e, site: acme/line-1 }
            sources:
              - name: press1
                driver: modbus-tcp
                endpoint: 127.0.0.1:{{machine.Port}}
                unit: 1
                poll: 20ms
                tags:
                  - { name: running, address: hr:0 }
                  - { name: fault_code, address: hr:1 }
            equipment:
              - name: press1
                running: press1.running == 1
                fault: press1.fault_code != 0
                alarms:
                  - { name: fault, when: press1.fault_code != 0, priority: critical, context: [press1.running] }
            outputs: { mqtt: off }
            """;
        await using var agent = await TestAgent.StartAsync(yaml);
        await agent.Sink.WaitUntilAsync(s => Status(s).Any(e => e.State == "idle"), what: "idle");

        await machine.SetAsync(0, 1);
        await agent.Sink.WaitUntilAsync(s => Status(s).Any(e => e.State == "running"), what: "running");

        await machine.SetAsync(1, 17);
        await agent.Sink.WaitUntilAsync(s => Status(s).Any(e => e.State == "fault"), what: "fault");
        await agent.Sink.WaitUntilAsync(s => s.Events.OfType<AlarmEvent>().Any(a => a.Id == "press1/fault"), what: "fault alarm");
        var alarm = agent.Sink.Events.OfType<AlarmEvent>().First(a => a.Id == "press1/fault");
        Assert.Equal(17, alarm.Value);
        Assert.Equal("critical", alarm.Priority);
        Assert.Equal(1.0, alarm.Context["press1.running"]);

        await machine.SetAsync(1, 0);
        await agent.Sink.WaitUntilAsync(s => Status(s).Count(e => e.State == "running") >= 2, what: "running again");
        var states = Status(agent.Sink).Select(e => e.State).ToArray();
        Assert.Equal(["idle", "running", "fault", "running"], states);
        Assert.Equal("fault", Status(agent.Sink)[^1].Previous);

        // The peer goes away: the source is down, the equipment offline, and a communication-loss alarm is raised.
        await machine.DisposeAsync();
        await agent.Sink.WaitUntilAsync(s => Status(s).Any(e => e.State == "offline"), TimeSpan.FromSeconds(30), what: "offline");
        await agent.Sink.WaitUntilAsync(s => s.Events.OfType<AlarmEvent>().Any(a => a.Id == "press1/comm-loss" && a.State == AlarmState.Active), TimeSpan.FromSeconds(30), what: "comm-loss alarm");
    }
}
