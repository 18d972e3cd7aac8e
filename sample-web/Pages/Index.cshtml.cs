using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SampleWeb.Pages;

public class IndexModel : PageModel
{
    public void OnGet()
    {
    }
}
