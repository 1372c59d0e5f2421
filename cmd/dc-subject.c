/* dc-subject: a data subject's rights — find, export and erase everything that names a
 * person (dc-subject(1)).  Work in lib/subject/. */
#include "subject/subject.h"

static const struct dc_verb verbs[] = {
    {"find", dc_subject_find,
     "email= phone= member= name=", "--email X | --phone X | --member H | --name X",
     "list every record that names the person", NULL},
    {"erase", dc_subject_erase, "email= phone= member= name= except-held",
     "(--email X | --phone X | --member H | -) [--except-held]",
     "erase or anonymise everything that names the person, in one transaction", NULL},
    {"export", dc_subject_export,
     "email= phone= member= output=",
     "(--email X | --phone X | --member H) -o (DIR | FILE.zip)",
     "write what is held about the person: a JSON file per entity and summary.html", NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	return dc_main(argc, argv, "dc-subject", verbs,
	               "dc-subject: find, export and erase a person's data (GDPR Art. 15 and 17).");
}
