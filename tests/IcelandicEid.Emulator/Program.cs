// The Taktikal and Vettvangur emulator, on its own for local development:
//   dotnet run --project tests/IcelandicEid.Emulator -- --urls http://127.0.0.1:5100
// Point the sample at it with IcelandicEid__Provider=Taktikal, IcelandicEid__Taktikal__BaseUrl=http://127.0.0.1:5100/api/,
// IcelandicEid__Taktikal__FlowKey=emulator-flow (or Vettvangur with BaseUrl http://127.0.0.1:5100/, ApiKey emulator-key,
// RequestingApplication sample). Control it through /_emulator/scripts, /_emulator/faults, /_emulator/calls, /_emulator/stats.
using IcelandicEid.Emulator;

var builder = WebApplication.CreateSlimBuilder(args);
var settings = new EmulatorSettings();
builder.Configuration.GetSection("Emulator").Bind(settings);
var app = builder.Build();
EmulatorEndpoints.Map(app, new EmulatorState(settings));
app.MapGet("/", () => Results.Text(
    "Icelandic eID upstream emulator. Taktikal at /api/auth/start, /api/auth/poll, /api/auth, /api/management/flow (flow key "
    + settings.FlowKey + "); Vettvangur at /authorize-code, /authorize-simple, /authorize-status, /authorize-status-poll (API key "
    + settings.ApiKey + "). Control: /_emulator/scripts, /_emulator/faults, /_emulator/calls, /_emulator/stats."));
app.Run();


/// <summary>Internal, so test projects that also see the sample app's Program are not confused.</summary>
internal partial class Program;
