using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.WebEncoders;
using IcelandicEid.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using SampleWeb;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

// Serilog through Microsoft.Extensions.Logging: structured console output, personal data masked.
var logger = new LoggerConfiguration()
    .ReadFrom.Configuration(builder.Configuration)
    .Enrich.FromLogContext()
    .Enrich.With<PersonalDataMasker>()
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}")
    .CreateLogger();
builder.Logging.ClearProviders();
builder.Logging.AddSerilog(logger, dispose: true);

builder.Services.AddRazorPages();
builder.Services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
var authentication = builder.Services
    .AddAuthentication(options =>
    {
        options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        options.DefaultChallengeScheme = IcelandicEidDefaults.AuthenticationScheme;
    })
    .AddCookie(options =>
    {
        options.Cookie.Name = ".Sample.Auth";
        options.ExpireTimeSpan = TimeSpan.FromHours(1);
    })
    .AddIcelandicEid(); // options from the "IcelandicEid" section of appsettings.json

// Several instances: pending logins, abuse limits and the data-protection key ring in Redis when a connection string
// is given (ConnectionStrings__Redis=localhost:6379); memory otherwise.
builder.Services.AddDataProtection().SetApplicationName("IcelandicEid.Sample");
if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
{
    authentication.AddIcelandicEidRedis(redis);
}

builder.Services.AddAuthorization();
builder.Services.AddHealthChecks().AddIcelandicEid();
if (builder.Configuration.GetValue<bool>("TrustForwardedHeaders"))
{
    // Behind the compose file's reverse proxy: see the client's own address, for the per-address start limit.
    builder.Services.Configure<ForwardedHeadersOptions>(o =>
    {
        o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        o.KnownIPNetworks.Clear();
        o.KnownProxies.Clear();
    });
}

var app = builder.Build();

if (app.Configuration.GetValue<bool>("TrustForwardedHeaders"))
{
    app.UseForwardedHeaders();
}

var cultures = new[] { new CultureInfo("is"), new CultureInfo("en") };
app.UseRequestLocalization(new RequestLocalizationOptions
{
    DefaultRequestCulture = new("is"),
    SupportedCultures = cultures,
    SupportedUICultures = cultures,
});
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();

app.MapRazorPages();
app.MapHealthChecks("/health");
app.MapGet("/instance", () => Results.Text(Environment.MachineName));
app.MapGet("/login", (string? returnUrl) => Results.Challenge(
    new AuthenticationProperties { RedirectUri = returnUrl ?? "/profile" },
    [IcelandicEidDefaults.AuthenticationScheme]));
app.MapPost("/logout", async (HttpContext context, IAntiforgery antiforgery) =>
{
    if (!await antiforgery.IsRequestValidAsync(context))
    {
        return Results.BadRequest();
    }

    await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    return Results.LocalRedirect("/");
}).RequireAuthorization();

app.Run();

/// <summary>The sample app, for WebApplicationFactory.</summary>
public partial class Program;
