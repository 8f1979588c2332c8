using InviteStream.Configuration;
using InviteStream.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace InviteStream.Embedded;

internal static class EmbeddedExtensions
{
    /// <summary>
    /// The stand-ins' own settings, validated with all the others. The stand-ins read them before any
    /// host exists, so nothing resolves these options; they are registered to be checked.
    /// </summary>
    public static IHostApplicationBuilder AddEmbeddedSettings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmbeddedOptions>()
            .BindSettings(builder.Configuration, EmbeddedOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddOptions<SimulatorFaults>()
            .BindSettings(builder.Configuration, EmbeddedInfrastructure.SimulatorFaultsSection)
            .ValidateOnStart();
        return builder;
    }
}
