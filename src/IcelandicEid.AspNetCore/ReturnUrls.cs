namespace IcelandicEid.AspNetCore;

/// <summary>Decides whether a return URL is safe to redirect to: only paths on this site.</summary>
public static class ReturnUrls
{
    /// <summary>
    /// True for a path on this site such as <c>/profile?tab=1</c>. False for absolute URLs, protocol-relative
    /// <c>//host</c>, <c>/\host</c>, anything with a backslash or a control character (browsers drop
    /// tabs and newlines, turning <c>/\t/host</c> into <c>//host</c>), and for percent-encoded forms of these.
    /// </summary>
    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > 2048)
        {
            return false;
        }

        var candidate = url;
        for (var round = 0; round < 4; round++)
        {
            if (!IsPlainLocal(candidate))
            {
                return false;
            }

            string decoded;
            try
            {
                decoded = Uri.UnescapeDataString(candidate);
            }
            catch (UriFormatException)
            {
                return false;
            }

            if (decoded == candidate)
            {
                return true;
            }

            candidate = decoded;
        }

        return false;
    }

    private static bool IsPlainLocal(string url)
    {
        if (url[0] != '/')
        {
            return false;
        }

        if (url.Length > 1 && (url[1] == '/' || url[1] == '\\'))
        {
            return false;
        }

        foreach (var c in url)
        {
            if (c == '\\' || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }
}
