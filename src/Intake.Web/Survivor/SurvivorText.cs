namespace Intake.Web;

/// <summary>
/// Marker type for the survivor pages' text: IStringLocalizer&lt;SurvivorText&gt; reads
/// Resources/SurvivorText.resx (English) and Resources/SurvivorText.zh-Hans.resx (Simplified Chinese).
/// It lives in the root namespace so the resource name is Intake.Web.Resources.SurvivorText.
/// </summary>
public sealed class SurvivorText;
