"""Adding an image to the library from outside its admin pages: a file dropped or pasted into a
Markdown editor (reviews/editor.py) comes here with the description its editor typed.

The rules are the library's own: the file is checked as the library's upload field checks it
(`validate_image_file`: a real JPEG, PNG, WebP or GIF within the size and pixel limits) and the
model's `clean()` asks for alt text unless the image is decorative. The library's file field
stores it without its metadata, as it stores every upload (films/uploads.py).
"""

from django import forms

from films.validators import validate_image_file
from images.models import Image


class LibraryImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ("file", "alt", "decorative", "caption", "credit")

    def __init__(self, *args, uploaded_by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.uploaded_by = uploaded_by
        # As the library's admin checks it (films/admin.py: CheckedImageMixin).
        self.fields["file"].validators.append(validate_image_file)
