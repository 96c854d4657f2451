from rest_framework import serializers

from catalog.api.serializers import ProductSummarySerializer
from recommendations.selectors import SLOTS


class RecommendationQuerySerializer(serializers.Serializer[dict[str, object]]):
    slot = serializers.ChoiceField(choices=list(SLOTS), help_text="Which recommendations.")
    product = serializers.SlugField(
        required=False, max_length=220, help_text="The product's slug; needed by also_viewed and bought_together."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=24, default=8)


class RecommendationSerializer(serializers.Serializer[object]):
    slot = serializers.CharField()
    personal = serializers.BooleanField(help_text="False when the list is the best-seller fallback.")
    results = ProductSummarySerializer(many=True, source="products")
