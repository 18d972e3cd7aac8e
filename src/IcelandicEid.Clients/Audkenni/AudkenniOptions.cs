using IcelandicEid.Http;
using System.Security.Cryptography.X509Certificates;

namespace IcelandicEid.Audkenni;

/// <summary>How the direct Auðkenni provider talks to Auðkenni.</summary>
public enum AudkenniProtocol
{
    /// <summary>The REST authentication tree (<see cref="AudkenniOptions.Tree"/>), then OIDC with PKCE: the default, as
    /// Auðkenni's REST guides and public clients run it. Needs <see cref="AudkenniOptions.RedirectUri"/>.</summary>
    Tree,

    /// <summary>OpenID Connect CIBA in poll mode: a signed request object to the backchannel endpoint, then the token
    /// endpoint polled. Needs the relying party's RSA key (<see cref="AudkenniOptions.RequestKeyPath"/> or
    /// <see cref="AudkenniOptions.RequestKeyThumbprint"/>), whose public half Auðkenni registered.</summary>
    Ciba,
}

/// <summary>
/// Options of the direct Auðkenni provider, bound from <c>IcelandicEid:Audkenni</c>. Every URL, tree name and method
/// label is configuration: the defaults are Auðkenni's production host and the api_v200 tree as its documentation and
/// public clients give them (test host: <c>https://idp-dev.audkenni.is</c>).
/// </summary>
public sealed class AudkenniOptions
{
    /// <summary>How to talk to Auðkenni: the REST tree (the default) or CIBA. A login is always finished the way it was
    /// started, so changing this affects only new logins.</summary>
    public AudkenniProtocol Protocol { get; set; } = AudkenniProtocol.Tree;

    /// <summary>Auðkenni's host. Default <c>https://idp.audkenni.is</c>.</summary>
    public Uri BaseUrl { get; set; } = new("https://idp.audkenni.is");

    /// <summary>The REST authentication endpoint's path. Default <c>/sso/json/realms/root/realms/audkenni/authenticate</c>.</summary>
    public string AuthenticatePath { get; set; } = "/sso/json/realms/root/realms/audkenni/authenticate";

    /// <summary>The OIDC base path (authorize, access_token, userinfo, connect/jwk_uri). Default
    /// <c>/sso/oauth2/realms/root/realms/audkenni</c>.</summary>
    public string OAuthPath { get; set; } = "/sso/oauth2/realms/root/realms/audkenni";

    /// <summary>CIBA: the backchannel authentication endpoint, under <see cref="OAuthPath"/>. Default <c>bc-authorize</c>
    /// (the platform's name for it; not in the pages of Auðkenni's documentation that were read, so check it first).</summary>
    public string BackchannelPath { get; set; } = "bc-authorize";

    /// <summary>CIBA: the token endpoint polled with the CIBA grant, under <see cref="OAuthPath"/>. Default
    /// <c>access_token</c> (the platform's token endpoint, as for the tree; inferred, so check it first).</summary>
    public string BackchannelTokenPath { get; set; } = "access_token";

    /// <summary>CIBA: the <c>acr_values</c> that selects app login. Default <c>app-auth</c> (documented).</summary>
    public string AppAcrValue { get; set; } = "app-auth";

    /// <summary>CIBA: the <c>acr_values</c> that selects SIM login. Default <c>sim-auth</c> (seen in the history of
    /// Auðkenni's pages, not in their current text: check it first).</summary>
    public string SimAcrValue { get; set; } = "sim-auth";

    /// <summary>CIBA: the relying party's RSA private key, as a PEM file (PKCS#8, encrypted PKCS#8 with
    /// <see cref="RequestKeyPassword"/>, or PKCS#1). Auðkenni holds its public half. Read when the app starts. Either
    /// this or <see cref="RequestKeyThumbprint"/>.</summary>
    public string? RequestKeyPath { get; set; }

    /// <summary>CIBA: the password of an encrypted <see cref="RequestKeyPath"/> (from a secret store; never logged).</summary>
    public string? RequestKeyPassword { get; set; }

    /// <summary>CIBA: the thumbprint of a certificate in the <c>My</c> store of <see cref="RequestKeyStoreLocation"/>
    /// whose RSA private key signs the request objects. Either this or <see cref="RequestKeyPath"/>.</summary>
    public string? RequestKeyThumbprint { get; set; }

    /// <summary>CIBA: where <see cref="RequestKeyThumbprint"/> is looked up. Default <c>CurrentUser</c>.</summary>
    public StoreLocation RequestKeyStoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>CIBA: the key id (<c>kid</c>) put in the request object's header; null for none.</summary>
    public string? RequestKeyId { get; set; }

    /// <summary>CIBA: the request object's audience; null for the issuer (<see cref="Issuer"/>, by default
    /// <see cref="BaseUrl"/> followed by <see cref="OAuthPath"/>, as documented).</summary>
    public string? RequestAudience { get; set; }

    /// <summary>The id_token issuer; null for <see cref="BaseUrl"/> followed by <see cref="OAuthPath"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The authentication tree. Default <c>api_v200</c>.</summary>
    public string Tree { get; set; } = "api_v200";

    /// <summary>The SIM method's label in the tree's choice list. Default <c>sim</c>.</summary>
    public string SimMethodLabel { get; set; } = "sim";

    /// <summary>The app method's label in the tree's choice list. Default <c>app</c>.</summary>
    public string AppMethodLabel { get; set; } = "app";

    /// <summary>The client id Auðkenni registered (required).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret (required; from a secret store; never logged).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The related party, for a broker; empty for none.</summary>
    public string RelatedParty { get; set; } = string.Empty;

    /// <summary>The redirect URI registered with Auðkenni (required for the tree; only its query is read, nothing is
    /// served there).</summary>
    public Uri? RedirectUri { get; set; }

    /// <summary>The message on the phone, at most 60 characters, no line break; null for "Innskráning hjá {service}"
    /// (or "Innskráning" without a service name).</summary>
    public string? Message { get; set; }

    /// <summary>The long confirmation message (app), at most 200 characters: sent instead of <see cref="Message"/>
    /// when <see cref="ConfirmMessage"/> is on, for the app to show in its prompt.</summary>
    public string? LongMessage { get; set; }

    /// <summary>Whether the app shows <see cref="LongMessage"/> in a prompt. Default false.</summary>
    public bool ConfirmMessage { get; set; }

    /// <summary>A title the app shows above the request (trees from api_v202 ask for one after the documented eight
    /// callbacks); null for none. At most 60 characters, one line; needs such a tree.</summary>
    public string? AppTitle { get; set; }

    /// <summary>Whether the app shows three codes for the person to pick the one on the page. Default false.</summary>
    public bool VChoice { get; set; }

    /// <summary>The roots the person's certificate must chain to (production: "Fullgilt auðkenni 2021"; test:
    /// FAP2021test), as files (DER or PEM). At least one, here or in <see cref="RootCertificates"/>.</summary>
    public IList<string> RootCertificatePaths { get; } = [];

    /// <summary>Roots given in code.</summary>
    public X509Certificate2Collection RootCertificates { get; } = [];

    /// <summary>Intermediate certificates between a root and people's certificates, as files.</summary>
    public IList<string> IntermediateCertificatePaths { get; } = [];

    /// <summary>
    /// Whether the person's certificate is checked for revocation. Default <see cref="AudkenniRevocationMode.Off"/>:
    /// the certificate's key lives on the person's SIM or in the app, and a revoked electronic ID cannot complete a
    /// login at Auðkenni in the first place (inferred, not documented), while an online check makes every login depend
    /// on a responder the site's servers may not reach. <see cref="AudkenniRevocationMode.CrlFiles"/> checks against the
    /// operator's CRL files (refreshed by the operator, for example hourly from Auðkenni's repository);
    /// <see cref="AudkenniRevocationMode.Online"/> asks the certificate's OCSP responder or CRL distribution point. With
    /// either, a status that cannot be learned (no current CRL, a responder that does not answer within
    /// <see cref="RevocationTimeout"/>) fails the login as <c>not-verified</c>: an unchecked certificate is not trusted.
    /// </summary>
    public AudkenniRevocationMode Revocation { get; set; } = AudkenniRevocationMode.Off;

    /// <summary>The CRL files (DER or PEM) for <see cref="AudkenniRevocationMode.CrlFiles"/>: one per issuing CA. Read at
    /// each check, so a refreshed file counts at once.</summary>
    public IList<string> CrlPaths { get; } = [];

    /// <summary>How long an online revocation check may take. Default 5 s.</summary>
    public TimeSpan RevocationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What to do when a result carries no signature or certificate: false (the default) fails the login
    /// (<c>not-verified</c>); true accepts a result whose id_token verified.</summary>
    public bool AllowMissingSignature { get; set; }

    /// <summary>The shortest time between two polls of the tree. Default 5 s; at least 1 s. A login is never polled
    /// sooner than the larger of this and the <c>waitTime</c> the tree's polling callback asks for (documented as 5 s),
    /// per login and across instances.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeouts, retries and circuit breaker, as for the other upstreams. Default attempt timeout 15 s. A start
    /// and each step of the finish (authorize, code redemption, userinfo) are never sent twice once they may have arrived;
    /// polls of the tree are retried.</summary>
    public UpstreamResilienceOptions Resilience { get; set; } = new() { AttemptTimeout = TimeSpan.FromSeconds(15) };

    /// <summary>How long fetched signing keys are kept. Default 1 hour (a token naming an unknown key id fetches them
    /// again at once, at most every 30 s).</summary>
    public TimeSpan KeysCacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Checks the options (as the section <c>IcelandicEid:Audkenni</c>), naming every one that is wrong.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is wrong; every problem is listed.</exception>
    public void Validate() => Validate("IcelandicEid:Audkenni");

    internal void Validate(string section)
    {
        var errors = new OptionErrors(section);
        void Fail(string option, string why) => errors.Add(option, why);
        if (!BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && !BaseUrl.IsLoopback))
        {
            Fail(nameof(BaseUrl), "must be an https URL");
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            Fail(nameof(ClientId), "is required (the client id Auðkenni registered)");
        }

        if (string.IsNullOrWhiteSpace(ClientSecret))
        {
            Fail(nameof(ClientSecret), "is required (from configuration or a secret store)");
        }

        if (Protocol == AudkenniProtocol.Tree && (RedirectUri is null || !RedirectUri.IsAbsoluteUri))
        {
            Fail(nameof(RedirectUri), "is required: the absolute redirect URI registered with Auðkenni");
        }

        if (Message is not null && !AudkenniCallbacks.IsValidMessage(Message))
        {
            Fail(nameof(Message), "must be at most 60 characters on one line");
        }

        if (AppTitle is not null && !AudkenniCallbacks.IsValidMessage(AppTitle))
        {
            Fail(nameof(AppTitle), "must be at most 60 characters on one line");
        }

        if (AppTitle is not null && Protocol == AudkenniProtocol.Ciba)
        {
            Fail(nameof(AppTitle), "is a callback of the tree; CIBA has no app title");
        }
        else if (AppTitle is not null && Tree == "api_v200")
        {
            Fail(nameof(AppTitle), "needs a tree that asks for an app title (api_v202 or later), not api_v200");
        }

        if (!AudkenniCallbacks.IsValidLongMessage(LongMessage))
        {
            Fail(nameof(LongMessage), "must be at most 200 characters");
        }

        if (RootCertificatePaths.Count == 0 && RootCertificates.Count == 0)
        {
            Fail(nameof(RootCertificatePaths), "must name at least one root certificate (production: Fullgilt auðkenni 2021)");
        }

        foreach (var path in RootCertificatePaths.Concat(IntermediateCertificatePaths))
        {
            if (!File.Exists(path))
            {
                Fail(nameof(RootCertificatePaths), $"names '{path}', which does not exist");
            }
        }

        if (PollInterval < TimeSpan.FromSeconds(1))
        {
            Fail(nameof(PollInterval), "must be at least 1 second");
        }

        if (Revocation == AudkenniRevocationMode.CrlFiles && CrlPaths.Count == 0)
        {
            Fail(nameof(CrlPaths), "must name at least one CRL file when Revocation is CrlFiles");
        }

        foreach (var path in CrlPaths.Where(p => !File.Exists(p)))
        {
            Fail(nameof(CrlPaths), $"names '{path}', which does not exist");
        }

        if (Revocation == AudkenniRevocationMode.Online && (RevocationTimeout <= TimeSpan.Zero || RevocationTimeout > TimeSpan.FromSeconds(30)))
        {
            Fail(nameof(RevocationTimeout), "must be more than zero and at most 30 seconds");
        }

        if (Protocol == AudkenniProtocol.Ciba)
        {
            AddBackchannelErrors(Fail);
        }

        Resilience.AddErrors(errors);
        errors.ThrowIfAny<AudkenniOptions>();
    }

    private void AddBackchannelErrors(Action<string, string> fail)
    {
        foreach (var (name, value) in new[] { (nameof(BackchannelPath), BackchannelPath), (nameof(BackchannelTokenPath), BackchannelTokenPath), (nameof(AppAcrValue), AppAcrValue), (nameof(SimAcrValue), SimAcrValue) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                fail(name, "is required when Protocol is Ciba");
            }
        }

        if (string.IsNullOrWhiteSpace(RequestKeyPath) == string.IsNullOrWhiteSpace(RequestKeyThumbprint))
        {
            fail(nameof(RequestKeyPath), "or RequestKeyThumbprint (exactly one) must give the relying party's RSA key when Protocol is Ciba");
            return;
        }

        var problem = AudkenniRequestKey.Problem(this);
        if (problem is not null)
        {
            fail(string.IsNullOrWhiteSpace(RequestKeyPath) ? nameof(RequestKeyThumbprint) : nameof(RequestKeyPath), problem);
        }
    }

    internal RevocationPolicy RevocationPolicy => new(Revocation, [.. CrlPaths], RevocationTimeout);

    internal string IssuerOrDefault => Issuer ?? new Uri(BaseUrl, OAuthPath).ToString().TrimEnd('/');

    internal X509Certificate2Collection LoadRoots()
    {
        var roots = new X509Certificate2Collection(RootCertificates);
        foreach (var path in RootCertificatePaths)
        {
            roots.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        }

        return roots;
    }

    internal X509Certificate2Collection LoadIntermediates()
    {
        var intermediates = new X509Certificate2Collection();
        foreach (var path in IntermediateCertificatePaths)
        {
            intermediates.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        }

        return intermediates;
    }
}
