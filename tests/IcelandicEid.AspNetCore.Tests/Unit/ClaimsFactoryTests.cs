using System.Security.Claims;
using IcelandicEid.AspNetCore;
using IcelandicEid.Simulation;

namespace IcelandicEid.Tests.Unit;

public class ClaimsFactoryTests
{
    private static readonly DateTimeOffset s_time = new(2026, 11, 21, 10, 30, 0, TimeSpan.Zero);

    private static ClaimsIdentity Create(EidPerson person, EidMethod method = EidMethod.App, string? entered = "2410803079")
        => EidClaimsFactory.CreateIdentity(person, method, entered, "Taktikal", s_time, "IcelandicEid", "IcelandicEid");

    [Theory]
    [InlineData(ClaimTypes.Name, "Jón Prófari Jónsson")]
    [InlineData(ClaimTypes.NameIdentifier, "2410803079")]
    [InlineData(IcelandicEidClaimTypes.Kennitala, "2410803079")]
    [InlineData(ClaimTypes.MobilePhone, "+3548881234")]
    [InlineData(ClaimTypes.StreetAddress, "Laugavegur 1")]
    [InlineData(ClaimTypes.PostalCode, "101")]
    [InlineData(ClaimTypes.Locality, "Reykjavík")]
    [InlineData(ClaimTypes.DateOfBirth, "1980-10-24")]
    [InlineData(IcelandicEidClaimTypes.PartnerKennitala, "0101302049")]
    [InlineData(IcelandicEidClaimTypes.FamilyNumber, "2410803079")]
    [InlineData(IcelandicEidClaimTypes.GenderCode, "1")]
    [InlineData(IcelandicEidClaimTypes.FamilyStatus, "3")]
    [InlineData(ClaimTypes.AuthenticationMethod, "app")]
    [InlineData(IcelandicEidClaimTypes.Provider, "Taktikal")]
    [InlineData(ClaimTypes.AuthenticationInstant, "2026-11-21T10:30:00Z")]
    public void Maps_each_claim(string type, string value)
    {
        var identity = Create(SimulatorProvider.TestPerson);
        Assert.Equal(value, Assert.Single(identity.FindAll(type)).Value);
        Assert.Equal("Jón Prófari Jónsson", identity.Name);
    }

    [Fact]
    public void Uses_the_entered_phone_for_sim_when_the_upstream_gives_none()
    {
        var identity = Create(SimulatorProvider.TestPerson with { PhoneNumber = null }, EidMethod.Sim, "7771234");
        Assert.Equal("+3547771234", identity.FindFirst(ClaimTypes.MobilePhone)!.Value);
        Assert.Equal("sim", identity.FindFirst(ClaimTypes.AuthenticationMethod)!.Value);
    }

    [Fact]
    public void Omits_what_the_upstream_does_not_give()
    {
        var identity = Create(new EidPerson { Name = "Jón Jónsson", NationalId = "241080-3079" }, EidMethod.App);
        Assert.Null(identity.FindFirst(ClaimTypes.MobilePhone));
        Assert.Null(identity.FindFirst(ClaimTypes.StreetAddress));
        Assert.Null(identity.FindFirst(IcelandicEidClaimTypes.FamilyNumber));
        Assert.Equal("2410803079", identity.FindFirst(IcelandicEidClaimTypes.Kennitala)!.Value);
    }

    [Theory]
    [InlineData("parnerssn", IcelandicEidClaimTypes.PartnerKennitala)]
    [InlineData("PartnerSsn", IcelandicEidClaimTypes.PartnerKennitala)]
    [InlineData("familyNumber", IcelandicEidClaimTypes.FamilyNumber)]
    [InlineData("Something", "urn:icelandic-eid:meta:Something")]
    public void Meta_keys_match_without_regard_to_case(string key, string type)
        => Assert.Equal(type, EidClaimsFactory.MetaClaimType(key));

    [Theory]
    [InlineData("12345")]
    [InlineData("")]
    [InlineData("9999999999")]
    public void Refuses_an_upstream_kennitala_that_is_not_one(string nationalId)
        => Assert.Throws<EidProviderException>(() => Create(new EidPerson { Name = "X", NationalId = nationalId }));

    [Fact]
    public void Legal_entities_get_no_date_of_birth()
        => Assert.Null(Create(new EidPerson { Name = "Fyrirtæki ehf.", NationalId = "6410803079" }).FindFirst(ClaimTypes.DateOfBirth));
}
