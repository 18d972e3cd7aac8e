using IcelandicEid;
using IcelandicEid.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SampleWeb.Pages;

[Authorize]
public class ProfileModel : PageModel
{
    public IReadOnlyList<(string Type, string Value)> Claims { get; private set; } = [];

    public void OnGet()
    {
        // Kennitölur are shown masked, as any page that does not need them in full should.
        Claims = User.Claims
            .Select(c => (c.Type, c.Type is IcelandicEidClaimTypes.Kennitala or IcelandicEidClaimTypes.NameIdentifier or IcelandicEidClaimTypes.PartnerKennitala or IcelandicEidClaimTypes.FamilyNumber
                ? Kennitala.Mask(c.Value)
                : c.Value))
            .ToList();
    }
}
