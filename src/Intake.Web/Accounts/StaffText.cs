namespace Intake.Web;

/// <summary>
/// Marker type for the staff pages' text: IStringLocalizer&lt;StaffText&gt; reads
/// Resources/StaffText.resx (English) and Resources/StaffText.zh-Hans.resx (Simplified Chinese).
/// </summary>
public sealed class StaffText;
