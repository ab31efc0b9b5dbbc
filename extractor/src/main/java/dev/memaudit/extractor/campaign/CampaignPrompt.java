package dev.memaudit.extractor.campaign;

/**
 * One prompt of a sampling campaign.
 *
 * @param id stable id: {@code <tier>:<work id>} or {@code unconditioned}
 * @param tier how the prompt asks
 * @param workId the work the prompt came from, or null (unconditioned)
 * @param text the prompt text (empty for unconditioned)
 */
public record CampaignPrompt(String id, Tier tier, String workId, String text) {}
