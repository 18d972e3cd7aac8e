// The Taktikal and Vettvangur emulator, on its own for local development:
//   dotnet run --project tools/IcelandicEid.Emulator -- --urls http://127.0.0.1:5100
// Point the sample at it with IcelandicEid__Provider=Taktikal, IcelandicEid__Taktikal__BaseUrl=http://127.0.0.1:5100/api/,
// IcelandicEid__Taktikal__FlowKey=emulator-flow (or Vettvangur with BaseUrl http://127.0.0.1:5100/, ApiKey emulator-key,
// RequestingApplication sample), or Audkenni (bash docs/run-sample-with-audkenni-emulator.sh). Control it through /_emulator/scripts, /_emulator/faults, /_emulator/calls, /_emulator/stats, /_emulator/reset.
using IcelandicEid.Emulator;

var builder = WebApplication.CreateSlimBuilder(args);
var settings = new EmulatorSettings();
builder.Configuration.GetSection("Emulator").Bind(settings);
var app = builder.Build();
var state = new EmulatorState(settings);
EmulatorEndpoints.Map(app, state);

// CIBA: the key pair registered for the emulator's client; its private half signs the relying party's request objects
// (--Emulator:AudkenniClientKeyOut=<file> writes it as PEM, before the root, so a script waiting for the root has both).
app.MapGet("/_emulator/audkenni/client-key.pem", () => Results.Text(state.Audkenni.ClientKeyPem(), "application/x-pem-file"));
if (builder.Configuration["Emulator:AudkenniClientKeyOut"] is { Length: > 0 } keyOut)
{
    File.WriteAllText(keyOut, state.Audkenni.ClientKeyPem());
}

// Auðkenni mode: its test root, for the relying party to trust (--Emulator:AudkenniRootOut=<file> writes it as PEM).
app.MapGet("/_emulator/audkenni/root.pem", () => Results.Text(state.Audkenni.Root.ExportCertificatePem(), "application/x-pem-file"));
if (builder.Configuration["Emulator:AudkenniRootOut"] is { Length: > 0 } rootOut)
{
    File.WriteAllText(rootOut, state.Audkenni.Root.ExportCertificatePem());
}

app.MapGet("/", () => Results.Text(
    "Icelandic eID upstream emulator. Taktikal at /api/auth/start, /api/auth/poll, /api/auth, /api/management/flow (flow key "
    + settings.FlowKey + "); Vettvangur at /authorize-code, /authorize-simple, /authorize-status, /authorize-status-poll (API key "
    + settings.ApiKey + "); Auðkenni's tree and " + state.Audkenni.DescribeCiba() + ". Control: /_emulator/scripts, /_emulator/faults, /_emulator/calls, /_emulator/stats."));
app.Run();


/// <summary>Internal, so test projects that also see the sample app's Program are not confused.</summary>
internal partial class Program;
