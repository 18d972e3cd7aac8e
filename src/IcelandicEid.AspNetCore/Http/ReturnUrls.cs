namespace IcelandicEid.AspNetCore.Http;

/// <summary>Decides whether a return URL is safe to redirect to: only paths on this site.</summary>
internal static class ReturnUrls
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

    /// <summary>
    /// The form of a local return URL that is safe to put in a <c>Location</c> header: dot segments resolved
    /// (<c>/a/../b</c> → <c>/b</c>), and every character outside printable ASCII percent-encoded as UTF-8
    /// (<c>/fréttir?q=Jón</c> → <c>/fr%C3%A9ttir?q=J%C3%B3n</c>). <see langword="null"/> when the URL is not local, or
    /// would stop being local once resolved (<c>/.//evil.example/x</c> would become <c>//evil.example/x</c>).
    /// </summary>
    /// <param name="url">The return URL as given.</param>
    /// <returns>The safe form, or <see langword="null"/>.</returns>
    public static string? Normalize(string? url)
    {
        if (!IsLocal(url))
        {
            return null;
        }

        var end = url!.IndexOfAny(['?', '#']);
        var path = end < 0 ? url : url[..end];
        var rest = end < 0 ? string.Empty : url[end..];
        path = RemoveDotSegments(path);
        var result = Encode(path) + Encode(rest);
        return result.StartsWith("//", StringComparison.Ordinal) || !IsLocal(result) ? null : result;
    }

    /// <summary>RFC 3986 section 5.2.4 on an absolute path, treating <c>%2e</c> as a dot as browsers do.</summary>
    private static string RemoveDotSegments(string path)
    {
        var segments = path.Split('/');
        var output = new List<string>(segments.Length);
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            var plain = segment.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            var last = i == segments.Length - 1;
            if (plain == ".")
            {
                if (last)
                {
                    output.Add(string.Empty);
                }
            }
            else if (plain == "..")
            {
                if (output.Count > 0)
                {
                    output.RemoveAt(output.Count - 1);
                }

                if (last)
                {
                    output.Add(string.Empty);
                }
            }
            else
            {
                output.Add(segment);
            }
        }

        return "/" + string.Join('/', output);
    }

    /// <summary>Percent-encodes what may not stand in a URL as it is: non-ASCII (as UTF-8), spaces, quotes and the
    /// like. Existing escapes are kept.</summary>
    private static string Encode(string value)
    {
        var needs = false;
        foreach (var c in value)
        {
            if (c > '~' || c <= ' ' || c is '"' or '<' or '>' or '`' or '{' or '}' or '|' or '^')
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(value.Length * 2);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c > '~' || c <= ' ' || c is '"' or '<' or '>' or '`' or '{' or '}' or '|' or '^')
            {
                var length = char.IsHighSurrogate(c) && i + 1 < value.Length
                    ? System.Text.Encoding.UTF8.GetBytes(value.AsSpan(i++, 2), utf8)
                    : System.Text.Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
                foreach (var b in utf8[..length])
                {
                    builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
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
