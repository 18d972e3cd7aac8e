using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.WebEncoders;
using IcelandicEid.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using SampleWeb;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

// Serilog (Serilog.AspNetCore): structured console output and one line per request, personal data masked.
builder.Services.AddSerilog((services, configuration) => configuration
    .ReadFrom.Configuration(builder.Configuration)
    .Enrich.FromLogContext()
    .Enrich.With<PersonalDataMasker>()
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}"));

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

// Taktikal, Vettvangur and Auðkenni direct, for IcelandicEid:Provider to choose from (the simulator is built in). Each
// reads IcelandicEid:{name}; only the chosen one is checked when the app starts.
builder.Services.AddIcelandicEidProviders();

// Several instances: pending logins, abuse limits and the data-protection key ring in Redis when a connection string
// is given (ConnectionStrings__Redis=localhost:6379); memory otherwise. Read access to that Redis must not be enough to
// forge a sign-in cookie: the key ring is encrypted at rest with DataProtection__KeyRingSecret (from a secret store or
// the environment, never from source control).
builder.Services.AddDataProtection().SetApplicationName("IcelandicEid.Sample");
if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } cacheRedis
    && string.Equals(builder.Configuration["Sample:Store"], "DistributedCache", StringComparison.OrdinalIgnoreCase))
{
    // The app's own IDistributedCache on Redis (Microsoft.Extensions.Caching.StackExchangeRedis) holds the pending logins:
    // for an app that has one already. Weaker than the Redis store (no compare-and-set, limits per instance); share the
    // data-protection key ring between instances some other way.
    builder.Services.AddStackExchangeRedisCache(o =>
    {
        o.Configuration = cacheRedis;
        o.InstanceName = "icelandic-eid-sample:";
    });
    authentication.AddIcelandicEidDistributedCache();
}
else if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
{
    var keyRingSecret = builder.Configuration["DataProtection:KeyRingSecret"];
    builder.Services.AddIcelandicEidRedis(redis, o =>
    {
        o.PersistDataProtectionKeys = true;
        o.KeyRingEncryptionSecret = string.IsNullOrEmpty(keyRingSecret) ? null : keyRingSecret;
    });
}

builder.Services.AddAuthorization();
builder.Services.AddHealthChecks().AddIcelandicEid();
if (builder.Configuration.GetValue<bool>("TrustForwardedHeaders"))
{
    // Behind a reverse proxy: take the client's address from X-Forwarded-For, but only when the request comes from one
    // of the proxy networks named in configuration (ForwardedHeaders:KnownNetworks, CIDR). A client that reaches an
    // instance directly cannot choose its own address, and so cannot escape the per-address start limit.
    var networks = builder.Configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [];
    builder.Services.Configure<ForwardedHeadersOptions>(o =>
    {
        o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        o.ForwardLimit = 1;
        o.KnownIPNetworks.Clear();
        o.KnownProxies.Clear();
        foreach (var network in networks)
        {
            o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }

        if (networks.Length == 0)
        {
            // Nothing configured: only a proxy on this machine is trusted.
            o.KnownProxies.Add(System.Net.IPAddress.Loopback);
            o.KnownProxies.Add(System.Net.IPAddress.IPv6Loopback);
        }
    });
}

var app = builder.Build();

if (app.Configuration.GetValue<bool>("TrustForwardedHeaders"))
{
    app.UseForwardedHeaders();
}

// One line per request (method, path, status, time); paths never carry a phone number or kennitala.
app.UseSerilogRequestLogging();

// The sample's pages follow the language chosen on the login pages (or on its own switch), else the browser's.
var cultures = new[] { new CultureInfo("is"), new CultureInfo("en") };
var localization = new RequestLocalizationOptions
{
    DefaultRequestCulture = new("is"),
    SupportedCultures = cultures,
    SupportedUICultures = cultures,
};
localization.RequestCultureProviders.Insert(0, new IcelandicEidRequestCultureProvider());
app.UseRequestLocalization(localization);
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();

app.MapRazorPages();

// Health: the public endpoint says only Healthy, Degraded or Unhealthy (and probes the upstream at most once per 30
// seconds per instance, however often it is hit); the details are for this machine's own monitoring only.
app.MapHealthChecks("/health");
app.MapHealthChecks("/health/details", new HealthCheckOptions { ResponseWriter = HealthDetails.WriteAsync })
    .AddEndpointFilter(async (context, next) => HealthDetails.IsLocal(context.HttpContext) ? await next(context) : Results.NotFound());
if (app.Environment.IsDevelopment())
{
    // Which instance answered: handy behind the compose file's round robin, never shown outside Development.
    app.MapGet("/instance", () => Results.Text(Environment.MachineName));
}
if (app.Configuration.GetValue<bool>("Benchmark:BaselineEndpoint") && app.Configuration.GetConnectionString("Redis") is { Length: > 0 })
{
    // For bench/wrk only (off unless configured): one Redis GET and nothing else, the yardstick the status endpoint is
    // measured against in the same process, behind the same middleware. With Benchmark:BaselineKeys = N it reads the
    // caller's own key of N (by its login cookie), as a session lookup does, rather than one hot key.
    var baselineKeys = (uint)Math.Max(1, app.Configuration.GetValue<int>("Benchmark:BaselineKeys"));
    app.MapGet("/bench/baseline", async (HttpContext context, StackExchange.Redis.IConnectionMultiplexer redis) =>
    {
        var key = baselineKeys == 1
            ? "bench:baseline"
            : "bench:baseline:" + ((uint)string.GetHashCode(context.Request.Cookies[IcelandicEidDefaults.LoginCookieName]) % baselineKeys).ToString(CultureInfo.InvariantCulture);
        var value = (byte[]?)await redis.GetDatabase().StringGetAsync(key);
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(value ?? []);
    });
}

app.MapGet("/language", (HttpContext context, string? lang, string? returnUrl) =>
{
    IcelandicEidRequestCultureProvider.Remember(context, lang ?? string.Empty);
    // Only a path on this site (the rule of Url.IsLocalUrl): never //host, /\host or control characters.
    var local = returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);
    return Results.Redirect(local ? returnUrl! : "/");
});
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
