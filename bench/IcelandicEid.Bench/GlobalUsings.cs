// What every file of the benchmark uses.
global using System.Collections.Concurrent;
global using System.Diagnostics;
global using System.Globalization;
global using System.Net;
global using System.Text;
global using System.Text.RegularExpressions;
global using IcelandicEid;
global using IcelandicEid.AspNetCore;
global using IcelandicEid.AspNetCore.State;
global using IcelandicEid.State;
global using Microsoft.Extensions.DependencyInjection.Extensions;
global using IcelandicEid.Simulation;
global using IcelandicEid.Tests.Infrastructure;
global using Microsoft.AspNetCore.Authentication.Cookies;
global using Microsoft.AspNetCore.DataProtection;
global using Microsoft.AspNetCore.Hosting.Server.Features;
global using StackExchange.Redis;
global using static Harness;
